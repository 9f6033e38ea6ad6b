package prcheck

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// The sticky comment speaks of dependencies only when the author must
// act, briefly, pointing at the check run for the table.
func TestDependenciesNote(t *testing.T) {
	if got := DependenciesNote(nil, "https://github.com/acme/w/pull/1/checks"); got != "" {
		t.Errorf("nothing to fix: %q", got)
	}
	var fix []string
	for i := range 7 {
		fix = append(fix, "`pkg:npm/x"+string(rune('a'+i))+"@1.0.0`")
	}
	sec := DependenciesNote(fix, "https://github.com/acme/w/pull/1/checks")
	for _, want := range []string{"`pkg:npm/xa@1.0.0`", "and 2 more", "/ospo allow <purl> <reason>", "(https://github.com/acme/w/pull/1/checks)"} {
		if !strings.Contains(sec, want) {
			t.Errorf("section lacks %q: %s", want, sec)
		}
	}
	if strings.Contains(sec, "xf@") {
		t.Errorf("section lists more than 5: %s", sec)
	}
	// Alone, it makes the whole note; with the CLA, it follows it.
	alone := ContributorNote(rules.CLAResult{}, policy.CLARule{}, nil, "https://x.example/commits", sec)
	if !strings.HasPrefix(alone, "### Before this pull request can be merged") || !strings.Contains(alone, "**Dependency licences.**") ||
		!strings.Contains(alone, "This comment updates itself") {
		t.Errorf("note %q", alone)
	}
	if got := ContributorNote(rules.CLAResult{}, policy.CLARule{}, nil, "https://x.example/commits", ""); got != "" {
		t.Errorf("an empty section makes a note: %q", got)
	}
}
