package jobs

import (
	"testing"

	"github.com/google/go-github/v66/github"
)

// TestPushOfCommunityFilesRechecks: adding MAINTAINERS.md, .github/FUNDING.yml
// or an issue template can change the files rule (a policy may require
// them), so the push re-checks the repository. The filter used to know
// six names of its own and ignored these.
func TestPushOfCommunityFilesRechecks(t *testing.T) {
	for _, p := range []string{"MAINTAINERS.md", ".github/FUNDING.yml", ".github/ISSUE_TEMPLATE/bug.yml", "docs/MAINTAINERS"} {
		ev := &github.PushEvent{Commits: []*github.HeadCommit{{Added: []string{p}}}}
		if !pushIsRelevant(ev) {
			t.Errorf("adding %s does not re-check the repository", p)
		}
	}
	ev := &github.PushEvent{Commits: []*github.HeadCommit{{Modified: []string{"src/main.go", ".github/ISSUE_TEMPLATE/bug.yml"}}}}
	if pushIsRelevant(ev) {
		t.Error("editing code and an issue template re-checks the repository; no rule reads them")
	}
}
