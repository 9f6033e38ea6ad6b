package rules

import (
	"slices"
	"strings"
	"testing"
)

// Old-style noreply addresses (login@users.noreply.github.com, from
// accounts made before July 2017) name a login, not an account: the gather
// stage looks the login up (GET /users/{login}) and records the answer in
// PullRequest.Users; a login GitHub does not know stays an unlinked email.
func TestCLAOldStyleNoreply(t *testing.T) {
	frank := user(77, "Frank")
	withUsers := func(pr *PullRequest, accounts ...*Account) *PullRequest {
		pr.Users = map[string]Account{}
		for _, a := range accounts {
			pr.Users[strings.ToLower(a.Login)] = *a
		}
		return pr
	}
	coAuthored := func() *PullRequest {
		return signed(pullRequest(commit(1, bobP, "x\n\nCo-authored-by: Frank <frank@users.noreply.github.com>")), "1", bob)
	}
	tests := []struct {
		name      string
		pr        *PullRequest
		want      Result
		fragments []string
	}{
		{"co-author looked up, signed", signed(withUsers(coAuthored(), frank), "1", frank), Pass, []string{"all 2 contributors signed"}},
		{"co-author looked up, unsigned", withUsers(coAuthored(), frank), Fail, []string{"CLA: not signed by @Frank", "@Frank: read the CLA"}},
		{"co-author whose login GitHub does not know", withUsers(coAuthored()), Fail,
			[]string{"no GitHub account for frank@users.noreply.github.com"}},
		{"co-author not looked up", coAuthored(), Fail, []string{"no GitHub account for frank@users.noreply.github.com"}},
		{"unlinked commit author looked up, signed", signed(withUsers(pullRequest(commit(1, unlinked("Frank", "FRANK@users.noreply.github.com"), "x")), frank), "1", frank),
			Pass, []string{"@Frank signed the CLA"}},
		{"a signature recorded under the login alone does not count", func() *PullRequest {
			pr := coAuthored()
			pr.Signatures[78] = Signature{UserID: 78, Login: "frank", Version: "1"}
			return pr
		}(), Fail, []string{"no GitHub account for frank@users.noreply.github.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, CLA(tt.pr, claRule()), RuleCLA, tt.want, tt.fragments...)
		})
	}
	if got := Involved(signed(withUsers(coAuthored(), frank), "1", frank), claRule()); !slices.ContainsFunc(got, func(a Account) bool { return a.ID == 77 }) {
		t.Errorf("Involved = %+v, lacks the looked-up account 77", got)
	}
}

func TestNoreplyLogins(t *testing.T) {
	pr := pullRequest(
		commit(1, aliceP, "x\n\nCo-authored-by: Frank <frank@users.noreply.github.com>\nCo-authored-by: Alice <alice@users.noreply.github.com>"),
		commit(2, unlinked("Gus", "Gus@users.noreply.github.com"), "y\n\nCo-authored-by: F <FRANK@users.noreply.github.com>\nCo-authored-by: Bob <2+bob@users.noreply.github.com>"),
		commit(3, unlinked("Hal", "hal@elsewhere.example"), "z\n\nCo-authored-by: Eve <eve@elsewhere.example>\nCo-authored-by: Bad <not a login@users.noreply.github.com>"),
	)
	// alice is known from her commit, bob's address carries his ID.
	if got, want := NoreplyLogins(pr), []string{"frank", "gus"}; !slices.Equal(got, want) {
		t.Errorf("NoreplyLogins = %q, want %q", got, want)
	}
	if got := NoreplyLogins(nil); got != nil {
		t.Errorf("NoreplyLogins(nil) = %q", got)
	}
}
