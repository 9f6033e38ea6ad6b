package rules

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestDCO(t *testing.T) {
	on := policy.DCORule{Mode: policy.Enforce}
	merge := func(n int) Commit {
		c := commit(n, aliceP, "Merge branch 'main' into feature")
		c.Parents = 2
		return c
	}
	committedBy := func(c Commit, p Person) Commit { c.Committer = p; return c }
	tests := []struct {
		name      string
		pr        *PullRequest
		r         policy.DCORule
		want      Result
		fragments []string
	}{
		{"off", pullRequest(commit(1, aliceP, "x")), policy.DCORule{}, Skip, []string{"dco rule is off"}},
		{"signed off", pullRequest(commit(1, aliceP, signedOff(aliceP)), commit(2, bobP, signedOff(bobP))), on, Pass,
			[]string{"all 2 commits signed off"}},
		{"one commit", pullRequest(commit(1, aliceP, signedOff(aliceP))), on, Pass, []string{"the commit is signed off"}},
		{"email ignores case, name trimmed", pullRequest(commit(1, aliceP, "x\n\nSigned-off-by:   Alice Liddell   <ALICE@home.example>")), on, Pass, nil},
		{"key ignores case", pullRequest(commit(1, aliceP, "x\n\nsigned-off-by: Alice Liddell <alice@home.example>")), on, Pass, nil},
		{"by the committer", pullRequest(committedBy(commit(1, aliceP, signedOff(bobP)), bobP)), on, Pass, nil},
		{"one of several sign-offs", pullRequest(commit(1, aliceP, "x\n\nSigned-off-by: Bob Builder <bob@home.example>\nSigned-off-by: Alice Liddell <alice@home.example>")), on, Pass, nil},
		{"no sign-off", pullRequest(commit(1, aliceP, signedOff(aliceP)), commit(2, bobP, "Fix\n\nBody\n")), on, Fail, []string{
			"1 of 2 commits not signed off (DCO): abc0002 by Bob Builder <bob@home.example>: no Signed-off-by",
			"sign off every commit: `git rebase HEAD~2 --signoff`, then `git push --force-with-lease`"}},
		{"sign-off in the body, not a trailer", pullRequest(commit(1, aliceP, "Fix\n\nSigned-off-by: Alice Liddell <alice@home.example>\nbecause reasons\nmore text\nand more\n\nThanks")), on, Fail,
			[]string{"no Signed-off-by"}},
		{"name differs", pullRequest(commit(1, aliceP, "x\n\nSigned-off-by: Alice <alice@home.example>")), on, Fail,
			[]string{"Signed-off-by Alice <alice@home.example> does not match the author Alice Liddell <alice@home.example>"}},
		{"name case differs", pullRequest(commit(1, aliceP, "x\n\nSigned-off-by: alice liddell <alice@home.example>")), on, Fail,
			[]string{"does not match the author"}},
		{"email differs, committer named", pullRequest(committedBy(commit(1, aliceP, "x\n\nSigned-off-by: Alice Liddell <a@work.example>"), bobP)), on, Fail,
			[]string{"Signed-off-by Alice Liddell <a@work.example> does not match the author Alice Liddell <alice@home.example> or the committer Bob Builder <bob@home.example>"}},
		{"malformed sign-off", pullRequest(commit(1, aliceP, "x\n\nSigned-off-by: Alice Liddell")), on, Fail,
			[]string{"Signed-off-by `Alice Liddell` is not `Name <email>`"}},
		{"merge commits skipped", pullRequest(commit(1, aliceP, signedOff(aliceP)), merge(2)), on, Pass,
			[]string{"the commit is signed off (1 merge commit skipped)"}},
		{"bot commits skipped", pullRequest(
			commit(1, by(bot(49699333, "dependabot[bot]"), "dependabot[bot]", "support@github.com"), "bump"),
			commit(2, by(bot(29139614, "renovate[bot]"), "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"), "bump"),
			commit(3, by(bot(9, "x[bot]"), "x", "x@x.example"), "bump"),
			merge(4)), on, Pass,
			[]string{"no commit needs a sign-off (1 merge commit and 3 bot commits skipped)"}},
		{"a bot-like name is not a bot", pullRequest(commit(1, unlinked("robot", "robot@x.example"), "bump")), on, Fail, []string{"no Signed-off-by"}},
		{"no commits", pullRequest(), on, Pass, []string{"no commits to check"}},
		{"commits not all read", func() *PullRequest {
			pr := pullRequest(commit(1, aliceP, signedOff(aliceP)))
			pr.CommitsComplete, pr.CommitCount = false, 251
			return pr
		}(), policy.DCORule{Mode: policy.Warn}, Fail, []string{"could not read all 251 commits; not passing on a partial list"}},
		{"nil pull request", nil, on, Fail, []string{"not passing on a partial list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, DCO(tt.pr, tt.r, policy.CLARule{}), RuleDCO, tt.want, tt.fragments...)
		})
	}
}

// TestDCOLargePullRequest: 300 commits, one in the middle not signed off;
// the rebase goes back over all of them; a cut list fails closed.
func TestDCOLargePullRequest(t *testing.T) {
	var commits []Commit
	for i := range 300 {
		msg := signedOff(bobP)
		if i == 150 {
			msg = "Quick fix\n"
		}
		commits = append(commits, commit(i, bobP, msg))
	}
	pr := pullRequest(commits...)
	f := DCO(pr, policy.DCORule{Mode: policy.Enforce}, policy.CLARule{})
	check(t, f, RuleDCO, Fail, "1 of 300 commits not signed off (DCO): abc0096 by Bob Builder <bob@home.example>: no Signed-off-by", "`git rebase HEAD~300 --signoff`")
	if res := DCOStatus(pr, policy.CLARule{}); len(res.Problems) != 1 || res.Problems[0].SHA != sha(150) || res.Checked != 300 || res.OK() {
		t.Errorf("DCOStatus = %+v", res)
	}
	pr.Commits, pr.CommitsComplete = pr.Commits[:250], false
	check(t, DCO(pr, policy.DCORule{Mode: policy.Enforce}, policy.CLARule{}), RuleDCO, Fail, "could not read all 300 commits")
}

func TestDCOManyProblems(t *testing.T) {
	var commits []Commit
	for i := range 25 {
		commits = append(commits, commit(i, bobP, "x"))
	}
	f := DCO(pullRequest(commits...), policy.DCORule{Mode: policy.Enforce}, policy.CLARule{})
	check(t, f, RuleDCO, Fail, "25 of 25 commits not signed off", "; and 5 more")
	if n := strings.Count(f.Message, "no Signed-off-by"); n != maxListed {
		t.Errorf("%d commits listed, want %d", n, maxListed)
	}
	if res := DCOStatus(pullRequest(commits...), policy.CLARule{}); len(res.Problems) != 25 {
		t.Errorf("DCOStatus lists %d problems, want all 25", len(res.Problems))
	}
}
