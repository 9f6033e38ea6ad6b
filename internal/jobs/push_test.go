package jobs

import (
	"testing"

	"github.com/google/go-github/v66/github"
)

// TestRelevantPath: the push filter comes from the registry's Stale
// patterns. A modified file matters when a rule reads its text (license,
// CODEOWNERS); an added or removed one also when a rule reads whether it
// is there (community files, under any name the policy may require).
func TestRelevantPath(t *testing.T) {
	modified := map[string]bool{
		"LICENSE": true, "LICENSE.md": true, "COPYING": true, "licence.txt": true,
		"LICENSE-MIT": true, "LICENSE-APACHE": true, "LICENSE.rst": true, "COPYING.md": true, "LICENCE-MIT": true, "Licence.rst": true,
		".github/CODEOWNERS": true, "CODEOWNERS": true, "docs/CODEOWNERS": true,
		".github/ospo.yml": true,
		"README.md":        false, ".github/CODE_OF_CONDUCT.md": false, // only their presence counts
		"src/LICENSE": false, "docs/LICENSE": false, "main.go": false, "src/README.md": false, "docs/guide/README.md": false,
	}
	for p, want := range modified {
		if got := anyRelevant(map[string]bool{p: true}, nil); got != want {
			t.Errorf("modifying %s: relevant = %v", p, got)
		}
	}
	added := map[string]bool{
		"README.md": true, ".github/CODE_OF_CONDUCT.md": true, "docs/SECURITY.md": true, "MAINTAINERS": true,
		".github/PULL_REQUEST_TEMPLATE/feature.md": true,
		"src/README.md": false, "docs/guide/README.md": false, "src/main.go": false, ".github/workflows/ci.yml": false,
	}
	for p, want := range added {
		if got := anyRelevant(map[string]bool{p: true}, map[string]bool{p: true}); got != want {
			t.Errorf("adding %s: relevant = %v", p, got)
		}
	}
}

func TestChangedPaths(t *testing.T) {
	ev := &github.PushEvent{Commits: []*github.HeadCommit{{Added: []string{"LICENSE"}}, {Modified: []string{"main.go"}, Removed: []string{"README"}}}}
	got := changedPaths(ev)
	if !got["LICENSE"] || !got["main.go"] || !got["README"] || len(got) != 3 {
		t.Fatalf("changed = %v", got)
	}
	many := &github.PushEvent{Commits: make([]*github.HeadCommit, 20)}
	if changedPaths(many) != nil {
		t.Fatal("a push of 20 commits may list only some of them: its changes are unknown")
	}
}

// TestChangedPathsForcePush: a force push that rewrote history lists only
// its new commits; what the old history changed and the new one does not
// (a LICENSE added, then dropped) appears nowhere, so its changes are
// unknown and the repository is checked again.
func TestChangedPathsForcePush(t *testing.T) {
	ev := &github.PushEvent{Forced: github.Bool(true), Commits: []*github.HeadCommit{{Modified: []string{"main.go"}}}}
	if got := changedPaths(ev); got != nil {
		t.Fatalf("forced push: changed = %v, want unknown", got)
	}
}
