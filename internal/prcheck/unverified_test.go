package prcheck

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestNoteUnverified: identities not looked up (the check's lookup budget
// was spent) get their own paragraph, even when nobody else must act, and
// are named in code spans, never mentioned.
func TestNoteUnverified(t *testing.T) {
	note := ContributorNote(rules.CLAResult{Complete: true, Unverified: []string{"old-1", "person-2"}, LookupBudget: 25},
		policy.CLARule{Document: "https://acme.example/cla", Version: "1"}, nil, "https://github.com/acme/widget/pull/1/commits")
	for _, want := range []string{"**Identities not verified.**", "at most 25 accounts and org memberships", "2 were not looked up (`old-1`, `person-2`)"} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q:\n%s", want, note)
		}
	}
	if strings.Contains(note, "@old-1") {
		t.Errorf("a login from commit text is mentioned:\n%s", note)
	}
}
