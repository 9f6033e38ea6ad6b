package check

import (
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// A check's day records the repository's topics and its classification:
// the first of the policy's topics.one_of it has.
func TestRepositoryDayRecordsTopicsAndClassification(t *testing.T) {
	eff := &policy.Effective{Version: "v1"}
	eff.Policy.Repository.Topics.OneOf = []string{"ospo-public", "inner-source"}
	snap := &rules.Snapshot{Owner: "acme", Name: "widget", ID: 7, Topics: []string{"go", "Inner-Source", "ospo-public"}}
	d, ok := repositoryDay(Repository{ID: 7, Owner: "acme", Name: "widget"}, &repositoryInput{gathered: gathered{eff: eff}, snap: snap},
		repositoryOutcome{}, time.Now())
	if !ok || !d.HasTopics || !slices.Equal(d.Topics, snap.Topics) || d.Classification != "ospo-public" {
		t.Fatalf("day: ok %v has topics %v topics %q classification %q", ok, d.HasTopics, d.Topics, d.Classification)
	}
	snap.Topics = []string{"go"}
	if d, _ := repositoryDay(Repository{ID: 7}, &repositoryInput{gathered: gathered{eff: eff}, snap: snap}, repositoryOutcome{}, time.Now()); d.Classification != "" || !d.HasTopics {
		t.Fatalf("no class: %q", d.Classification)
	}
	// Gone: nothing read, so unknown.
	if d, ok := repositoryDay(Repository{ID: 7, Owner: "acme", Name: "widget"}, &repositoryInput{gathered: gathered{eff: eff}, gone: true},
		repositoryOutcome{}, time.Now()); !ok || d.HasTopics {
		t.Fatalf("gone: ok %v has topics %v", ok, d.HasTopics)
	}
}
