package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

const claDoc = "https://acme.example/cla"

func claRule(mut ...func(*policy.CLARule)) policy.CLARule {
	r := policy.CLARule{Mode: policy.Enforce, Document: claDoc}
	for _, m := range mut {
		m(&r)
	}
	return r
}

func TestCLA(t *testing.T) {
	no := false
	tests := []struct {
		name      string
		pr        *PullRequest
		r         policy.CLARule
		want      Result
		fragments []string
		absent    []string // must not appear in message or remediation
	}{
		{"off", pullRequest(commit(1, bobP, "x")), policy.CLARule{Document: claDoc}, Skip, []string{"cla rule is off"}, nil},
		{"no document", pullRequest(commit(1, bobP, "x")), policy.CLARule{Mode: policy.Warn}, Fail,
			[]string{"the policy names no CLA document: pull_request.cla.document is empty", "set pull_request.cla.document in ospo.yml"}, nil},
		{"everyone signed", signed(pullRequest(commit(1, aliceP, "x"), commit(2, bobP, "y")), "1", alice, bob), claRule(), Pass,
			[]string{"all 2 contributors signed the CLA (version 1)"}, nil},
		{"one signed", signed(pullRequest(commit(1, bobP, "x")), "1", bob), claRule(), Pass,
			[]string{"@bob signed the CLA (version 1)"}, nil},
		{"one unsigned", signed(pullRequest(commit(1, aliceP, "x"), commit(2, bobP, "y")), "1", alice), claRule(), Fail,
			[]string{"CLA: not signed by @bob",
				"@bob: read the CLA at https://acme.example/cla, then comment on this pull request with exactly: I have read the CLA Document and I hereby sign the CLA"},
			[]string{"@alice"}},
		{"custom phrase", pullRequest(commit(1, bobP, "x")), claRule(func(r *policy.CLARule) { r.Phrase = "I agree" }), Fail,
			[]string{"with exactly: I agree"}, nil},
		{"resign: an old version is stale", signed(pullRequest(commit(1, bobP, "x")), "1", bob),
			claRule(func(r *policy.CLARule) { r.Version, r.Resign = "2", true }), Fail,
			[]string{"@bob signed version 1, the CLA changed to version 2: sign again", "@bob: read the CLA at"}, nil},
		{"resign: the current version", signed(pullRequest(commit(1, bobP, "x")), "2", bob),
			claRule(func(r *policy.CLARule) { r.Version, r.Resign = "2", true }), Pass, []string{"@bob signed the CLA (version 2)"}, nil},
		{"no resign: an old version counts", signed(pullRequest(commit(1, bobP, "x")), "1", bob),
			claRule(func(r *policy.CLARule) { r.Version = "2" }), Pass, []string{"@bob signed the CLA (version 2)"}, nil},
		{"the committer is never credited for the author", signed(pullRequest(Commit{SHA: sha(1), Parents: 1,
			Author: unlinked("Dan", "dan@elsewhere.example"), Committer: aliceP}), "1", alice), claRule(), Fail,
			[]string{"no GitHub account for dan@elsewhere.example", "link dan@elsewhere.example to your GitHub account in Settings → Emails",
				"git commit --amend --author=", "git push --force-with-lease"},
			[]string{"@alice", "Co-authored-by"}},
		{"co-author by ID noreply, signed", signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: Bob <2+bob@users.noreply.github.com>")), "1", alice, bob),
			claRule(), Pass, []string{"all 2 contributors signed"}, nil},
		{"co-author by ID noreply, unsigned", signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: Eve <99+eve@users.noreply.github.com>")), "1", alice),
			claRule(), Fail, []string{"not signed by @eve"}, nil},
		{"co-author by login noreply, matched to the opener", func() *PullRequest {
			pr := signed(pullRequest(commit(1, bobP, "x\n\nCo-authored-by: Alice <ALICE@users.noreply.github.com>")), "1", bob)
			// Signed under her login of the time: only her user ID finds it.
			pr.Signatures[alice.ID] = Signature{UserID: alice.ID, Login: "alice-old", Version: "1"}
			return pr
		}(), claRule(), Pass, []string{"all 2 contributors signed"}, nil},
		{"co-author with a linked author's email", signed(pullRequest(commit(1, aliceP, "x"), commit(2, bobP, "y\n\nCo-authored-by: A. L. <Alice@Home.example>")), "1", alice, bob),
			claRule(), Pass, []string{"all 2 contributors signed"}, nil},
		{"co-author unlinked", signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: Gus <gus@elsewhere.example>")), "1", alice),
			claRule(), Fail, []string{"no GitHub account for gus@elsewhere.example",
				"write the Co-authored-by with an email of the co-author's GitHub account (ID+login@users.noreply.github.com works)"},
			[]string{"git commit --amend --author"}},
		{"co-author without an email", signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: @gus")), "1", alice),
			claRule(), Fail, []string{"no email to identify Co-authored-by: @gus", "write each Co-authored-by as `Co-authored-by: Name <email>`"}, nil},
		{"commit author without an email", pullRequest(commit(1, unlinked("Ghost", ""), "x")), claRule(), Fail,
			[]string{"no email to identify commit author `Ghost`", "give every commit an author email"}, []string{"Co-authored-by: Ghost"}},
		{"bots are exempt", signed(pullRequest(commit(1, by(bot(49699333, "dependabot[bot]"), "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"), "x"),
			commit(2, by(bot(5, "renovate[bot]"), "Renovate", "r@x.example"), "y")), "1"),
			claRule(), Pass, []string{"no one needs to sign the CLA; exempt: @dependabot[bot] (bot) and @renovate[bot] (bot)"}, nil},
		{"a bot co-author by noreply is only text: the opener vouches", signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>")), "1", alice),
			claRule(), Pass, []string{"@alice signed the CLA", "(bot only by commit text, vouched for by @alice, who opened the pull request)"}, nil},
		{"[bot] is literal", pullRequest(commit(1, by(user(6, "robot"), "Robot", "robot@x.example"), "x")), claRule(), Fail,
			[]string{"not signed by @robot"}, nil},
		{"bots: false", pullRequest(commit(1, by(bot(49699333, "dependabot[bot]"), "dependabot[bot]", "d@x.example"), "x")),
			claRule(func(r *policy.CLARule) { r.Allow.Bots = &no }), Fail, []string{"not signed by @dependabot[bot]"}, nil},
		{"allow.users pattern", pullRequest(commit(1, by(user(7, "Release-Bot"), "Release", "rel@x.example"), "x")),
			claRule(func(r *policy.CLARule) { r.Allow.Users = []string{"release-*"} }), Pass, []string{"@Release-Bot (allow.users release-*)"}, nil},
		{"allow.users is anchored", pullRequest(commit(1, by(user(7, "prerelease-bot"), "P", "p@x.example"), "x")),
			claRule(func(r *policy.CLARule) { r.Allow.Users = []string{"release-*"} }), Fail, []string{"not signed by @prerelease-bot"}, nil},
		{"allow.users literal [bot]", pullRequest(commit(1, by(user(8, "ci[bot]"), "CI", "ci@x.example"), "x")),
			claRule(func(r *policy.CLARule) { r.Allow.Bots = &no; r.Allow.Users = []string{"ci[bot]"} }), Pass, []string{"(allow.users ci[bot])"}, nil},
		{"org member", pullRequest(commit(1, carolP, "x")), claRule(func(r *policy.CLARule) { r.Allow.Orgs = []string{"acme"} }), Fail,
			[]string{"not signed by @carol"}, nil},
		{"org member listed", func() *PullRequest {
			pr := pullRequest(commit(1, carolP, "x"))
			pr.OrgMembers = map[string][]string{"Acme": {"CAROL"}}
			return pr
		}(), claRule(func(r *policy.CLARule) { r.Allow.Orgs = []string{"acme"} }), Pass, []string{"@carol (member of acme)"}, nil},
		{"member of another org", func() *PullRequest {
			pr := pullRequest(commit(1, carolP, "x"))
			pr.OrgMembers = map[string][]string{"other": {"carol"}}
			return pr
		}(), claRule(func(r *policy.CLARule) { r.Allow.Orgs = []string{"acme"} }), Fail, []string{"not signed by @carol"}, nil},
		{"email domain, linked", pullRequest(commit(1, carolP, "x")),
			claRule(func(r *policy.CLARule) { r.Allow.EmailDomains = []string{"ACME.example"} }), Pass, []string{"@carol (email domain ACME.example)"}, nil},
		{"email subdomain, unlinked", pullRequest(commit(1, unlinked("Hal", "hal@eng.acme.example"), "x")),
			claRule(func(r *policy.CLARule) { r.Allow.EmailDomains = []string{"acme.example"} }), Pass, []string{"Hal <hal@eng.acme.example> (email domain acme.example)"}, nil},
		{"email domain is not a suffix", pullRequest(commit(1, unlinked("Ivy", "ivy@notacme.example"), "x")),
			claRule(func(r *policy.CLARule) { r.Allow.EmailDomains = []string{"acme.example"} }), Fail, []string{"no GitHub account for ivy@notacme.example"}, nil},
		{"every email must be in the domain", pullRequest(commit(1, carolP, "x"), commit(2, by(carol, "Carol", "carol@gmail.example"), "y")),
			claRule(func(r *policy.CLARule) { r.Allow.EmailDomains = []string{"acme.example"} }), Fail, []string{"not signed by @carol"}, nil},
		{"include_opener", signed(pullRequest(commit(1, bobP, "x")), "1", bob), claRule(func(r *policy.CLARule) { r.IncludeOpener = true }), Fail,
			[]string{"not signed by @alice"}, nil},
		{"opener not included", signed(pullRequest(commit(1, bobP, "x")), "1", bob), claRule(), Pass, []string{"@bob signed"}, nil},
		{"deduplicated", signed(pullRequest(commit(1, bobP, "x\n\nCo-authored-by: Eve <99+eve@users.noreply.github.com>\nCo-authored-by: Eve <99+eve@users.noreply.github.com>"),
			commit(2, bobP, "y\n\nCo-authored-by: Eve B <99+EVE@users.noreply.github.com>")), "1"), claRule(), Fail,
			[]string{"CLA: not signed by @bob and @eve"}, []string{"@EVE", "@eve, "}},
		{"several co-authors in one commit", signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: Bob <2+bob@users.noreply.github.com>\nCo-authored-by: Carol <3+carol@users.noreply.github.com>")), "1", alice),
			claRule(), Fail, []string{"not signed by @bob and @carol"}, nil},
		{"no commits", pullRequest(), claRule(), Pass, []string{"no one needs to sign the CLA: the pull request has no commits"}, nil},
		{"commits not all read", func() *PullRequest {
			pr := signed(pullRequest(commit(1, aliceP, "x")), "1", alice)
			pr.CommitsComplete, pr.CommitCount = false, 3
			return pr
		}(), claRule(), Fail, []string{"could not read all 3 commits; not passing on a partial list", "re-run the check"}, nil},
		{"nil pull request", nil, claRule(), Fail, []string{"could not read the pull request's commits; not passing on a partial list"}, nil},
		{"everything at once", func() *PullRequest {
			pr := signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: Gus <gus@elsewhere.example>"), commit(2, bobP, "y"),
				commit(3, unlinked("Dan", "dan@elsewhere.example"), "z")), "1", alice)
			pr.Signatures[bob.ID] = Signature{UserID: bob.ID, Login: "bob", Version: "0.9"}
			pr.Opener = *carol
			return pr
		}(), claRule(func(r *policy.CLARule) { r.Version, r.Resign, r.IncludeOpener = "2", true, true }), Fail, []string{
			"CLA: not signed by @carol; @alice signed version 1, the CLA changed to version 2: sign again; @bob signed version 0.9, the CLA changed to version 2: sign again; no GitHub account for gus@elsewhere.example and dan@elsewhere.example",
			"@carol, @alice and @bob: read the CLA",
			"git commit --amend --author=", "write the Co-authored-by with an email"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := CLA(tt.pr, tt.r)
			check(t, f, RuleCLA, tt.want, tt.fragments...)
			for _, s := range tt.absent {
				if strings.Contains(f.Message+f.Remediation, s) {
					t.Errorf("%q in %q / %q", s, f.Message, f.Remediation)
				}
			}
		})
	}
}

func TestCLAStatus(t *testing.T) {
	dependabot := bot(49699333, "dependabot[bot]")
	pr := signed(pullRequest(
		commit(1, aliceP, "x\n\nCo-authored-by: Bob <2+bob@users.noreply.github.com>\nCo-authored-by: Gus <gus@elsewhere.example>"),
		commit(2, by(dependabot, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"), "bump"),
		commit(3, carolP, "z"),
		commit(4, unlinked("Hal", "hal@acme.example"), "w"),
	), "1", alice)
	pr.Signatures[carol.ID] = Signature{UserID: carol.ID, Login: "carol", Version: "1"}
	r := claRule(func(r *policy.CLARule) {
		r.Version, r.Resign, r.IncludeOpener = "2", true, true
		r.Allow.EmailDomains = []string{"acme.example"}
	})
	r.Allow.EmailDomains = []string{"eng.acme.example"} // carol@acme.example and hal@acme.example are not covered
	got := CLAStatus(pr, r)
	want := CLAResult{
		Version:     "2",
		Stale:       []Account{*alice, *carol},
		Unsigned:    []Account{{ID: 2, Login: "bob", FromText: true}}, // only a trailer names bob
		Unlinked:    []Person{{Name: "Gus", Email: "gus@elsewhere.example"}, {Name: "Hal", Email: "hal@acme.example"}},
		Exempt:      []Exemption{{Person: Person{Name: "dependabot[bot]", Email: "49699333+dependabot[bot]@users.noreply.github.com", Account: dependabot}, Reason: "bot"}},
		Complete:    true,
		Commits:     4,
		AgentPolicy: policy.AgentsSponsor,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CLAStatus =\n%+v\nwant\n%+v", got, want)
	}
	if got.OK() {
		t.Error("OK() with people left to sign")
	}
	if b := got.Blocking(); len(b) != 3 || b[0].Login != "bob" || b[1].Login != "alice" || b[2].Login != "carol" {
		t.Errorf("Blocking() = %+v", b)
	}

	// The same with everyone signed, and the domain covering hal.
	for _, a := range []*Account{alice, carol, bob} {
		pr.Signatures[a.ID] = Signature{UserID: a.ID, Login: a.Login, Version: "2"}
	}
	r.Allow.EmailDomains = []string{"acme.example"}
	got = CLAStatus(pr, r)
	if len(got.Signed) != 2 || len(got.Exempt) != 3 || len(got.Unlinked) != 1 || got.OK() {
		// carol is exempt by her acme.example email; gus is still unlinked.
		t.Errorf("CLAStatus = %+v", got)
	}
	// Incomplete commits are never OK.
	pr.Commits = pr.Commits[:1]
	pr.Commits[0].Message = "x"
	pr.CommitsComplete = false
	if got := CLAStatus(pr, r); got.OK() || got.Complete || len(got.Signed) != 1 {
		t.Errorf("incomplete: %+v", got)
	}
	// A nil pull request.
	if got := CLAStatus(nil, policy.CLARule{}); got.OK() || got.Version != "1" {
		t.Errorf("nil: %+v", got)
	}
}

// TestCLALargePullRequest: 300 commits by signed authors with one unsigned
// author in the middle; and the same when GitHub's list was cut short.
func TestCLALargePullRequest(t *testing.T) {
	var commits []Commit
	authors := []Person{aliceP, bobP, carolP}
	for i := range 300 {
		a := authors[i%3]
		if i == 150 {
			a = by(user(42, "mallory"), "Mallory", "mallory@x.example")
		}
		commits = append(commits, commit(i, a, signedOff(a)))
	}
	pr := signed(pullRequest(commits...), "1", alice, bob, carol)
	f := CLA(pr, claRule())
	check(t, f, RuleCLA, Fail, "CLA: not signed by @mallory", "@mallory: read the CLA")
	for _, who := range []string{"@alice", "@bob", "@carol"} {
		if strings.Contains(f.Message, who) {
			t.Errorf("message names %s: %q", who, f.Message)
		}
	}
	pr.Signatures[42] = Signature{UserID: 42, Login: "mallory", Version: "1"}
	check(t, CLA(pr, claRule()), RuleCLA, Pass, "all 4 contributors signed the CLA")

	// GitHub lists at most 250 commits of a pull request.
	pr.Commits, pr.CommitsComplete = pr.Commits[:250], false
	check(t, CLA(pr, claRule()), RuleCLA, Fail, "could not read all 300 commits; not passing on a partial list")
}

// TestCLAManyUnsigned: a long list is cut, and the message stays one line.
func TestCLAManyUnsigned(t *testing.T) {
	var commits []Commit
	for i := range 30 {
		commits = append(commits, commit(i, by(user(int64(100+i), "user"+string(rune('a'+i%26))+string(rune('a'+i/26))), "U", "u@x.example"), "x"))
	}
	pr := pullRequest(commits...)
	f := CLA(pr, claRule())
	check(t, f, RuleCLA, Fail, "and 10 more")
	// All signed version 1 of a CLA now at version 2.
	for _, c := range commits {
		a := c.Author.Account
		pr.Signatures[a.ID] = Signature{UserID: a.ID, Login: a.Login, Version: "1"}
	}
	f = CLA(pr, claRule(func(r *policy.CLARule) { r.Version, r.Resign = "2", true }))
	check(t, f, RuleCLA, Fail, "; 10 more signed another version and must sign again")
	if n := strings.Count(f.Message, "the CLA changed to version 2"); n != maxListed {
		t.Errorf("%d stale signers listed, want %d", n, maxListed)
	}
}

func TestMatchLogin(t *testing.T) {
	tests := []struct {
		pattern, login string
		want           bool
	}{
		{"alice", "alice", true},
		{"alice", "Alice", true},
		{"alice", "alice2", false},
		{"release-*", "release-", true},
		{"release-*", "release-bot", true},
		{"release-*", "pre-release-bot", false},
		{"*-bot", "ci-bot", true},
		{"*-bot", "ci-bot-2", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXcYYb", false},
		{"a**", "a", true},
		{"*", "", false},
		{"ci[bot]", "ci[bot]", true},
		{"ci[bot]", "cib", false},
		{"ci?", "cix", false},
	}
	for _, tt := range tests {
		if got := matchLogin(tt.pattern, tt.login); got != tt.want {
			t.Errorf("matchLogin(%q, %q) = %v, want %v", tt.pattern, tt.login, got, tt.want)
		}
	}
}
