package rules

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestCLAUnverifiedIdentities: identities the gather stage did not look
// up, because the check's lookup budget was spent, fail the CLA closed:
// the finding counts them, names them without a mention, and says how to
// fix it. An old-style noreply address that was not looked up is not
// called an email without an account.
func TestCLAUnverifiedIdentities(t *testing.T) {
	pr := signed(pullRequest(commit(1, aliceP, "x\n\nCo-authored-by: Old <old1@users.noreply.github.com>\nCo-authored-by: Eve <99+eve@users.noreply.github.com>")), "1", alice)
	pr.Unverified, pr.LookupBudget = []string{"old1", "eve"}, 25
	f := CLA(pr, claRule())
	check(t, f, RuleCLA, Fail, "2 identities named in the commits could not be verified",
		"at most 25 accounts and org memberships per check", "`old1`", "`eve`", "fewer distinct authors and co-authors")
	if strings.Contains(f.Message, "no GitHub account for old1") || strings.Contains(f.Message, "@old1") {
		t.Errorf("an address not looked up is reported as without an account, or mentioned: %q", f.Message)
	}

	// Never a silent pass: an identity not verified fails the rule even
	// when everyone else signed.
	quiet := signed(pullRequest(commit(1, aliceP, "x")), "1", alice)
	quiet.Unverified, quiet.LookupBudget = []string{"ghost"}, 25
	check(t, CLA(quiet, claRule()), RuleCLA, Fail, "1 identity named in the commits could not be verified")
	if res := CLAStatus(quiet, claRule()); res.OK() || len(res.Unverified) != 1 {
		t.Fatalf("CLAStatus = %+v; want not OK with 1 unverified", res)
	}
}

// TestCLABotsOnlyWhenGitHubSaysSo: a bot is a bot only when GitHub says so
// (the commit's linked author account, or the opener, has type Bot). An
// identity that claims a bot only in commit text (a [bot] login in a
// noreply email, a Co-authored-by) signs nothing: the human who opened
// the pull request vouches for it and must have signed, as for an AI
// agent under sponsor; with no human opener, or allow.bots off, it must
// sign like anyone.
func TestCLABotsOnlyWhenGitHubSaysSo(t *testing.T) {
	no := false
	mallory := user(66, "mallory")
	openedBy := func(a *Account, pr *PullRequest) *PullRequest { pr.Opener = *a; return pr }
	evil := unlinked("dependabot[bot]", "12345+evil[bot]@users.noreply.github.com")
	botTrailer := "x\n\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
	tests := []struct {
		name      string
		pr        *PullRequest
		r         policy.CLARule
		want      Result
		fragments []string
	}{
		{"a human's commit claiming a bot noreply email: the opener must sign",
			openedBy(mallory, pullRequest(commit(1, evil, "x"))), claRule(), Fail, []string{"not signed by @mallory"}},
		{"… and once the opener signed, they vouch for it",
			signed(openedBy(mallory, pullRequest(commit(1, evil, "x"))), "1", mallory), claRule(), Pass,
			[]string{"bot only by commit text, vouched for by @mallory, who opened the pull request"}},
		{"a bot Co-authored-by: the opener vouches", signed(pullRequest(commit(1, aliceP, botTrailer)), "1", alice), claRule(), Pass,
			[]string{"vouched for by @alice"}},
		{"a bot Co-authored-by of a pull request the opener did not sign", signed(pullRequest(commit(1, bobP, botTrailer)), "1", bob), claRule(), Fail,
			[]string{"not signed by @alice"}},
		{"an old-style bot noreply that GitHub knows as a Bot is still only text", func() *PullRequest {
			pr := signed(pullRequest(commit(1, bobP, "x\n\nCo-authored-by: Renovate <renovate[bot]@users.noreply.github.com>")), "1", bob)
			pr.Users = map[string]Account{"renovate[bot]": *bot(29139614, "renovate[bot]")}
			return pr
		}(), claRule(), Fail, []string{"not signed by @alice"}},
		{"the same bot, linked by GitHub in another commit, is a bot",
			signed(pullRequest(commit(1, aliceP, botTrailer), commit(2, by(bot(49699333, "dependabot[bot]"), "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"), "bump")), "1", alice),
			claRule(), Pass, []string{"@dependabot[bot] (bot)"}},
		{"a bot opened it: nobody vouches, the claimed bot must sign",
			openedBy(bot(500, "ci[bot]"), pullRequest(commit(1, evil, "x"))), claRule(), Fail, []string{"not signed by @evil[bot]"}},
		{"allow.bots off: a claimed bot must sign like anyone",
			signed(openedBy(mallory, pullRequest(commit(1, evil, "x"))), "1", mallory), claRule(func(r *policy.CLARule) { r.Allow.Bots = &no }), Fail,
			[]string{"not signed by @evil[bot]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, CLA(tt.pr, tt.r), RuleCLA, tt.want, tt.fragments...)
		})
	}
}

// TestDCOBotsOnlyWhenGitHubSaysSo: a commit is a bot's, and needs no
// sign-off, only when GitHub links its author to an account of type Bot;
// a [bot] noreply email or a [bot] login GitHub did not give is a person's
// commit.
func TestDCOBotsOnlyWhenGitHubSaysSo(t *testing.T) {
	on := policy.DCORule{Mode: policy.Enforce}
	check(t, DCO(pullRequest(commit(1, unlinked("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"), "bump")), on, policy.CLARule{}),
		RuleDCO, Fail, "no Signed-off-by")
	check(t, DCO(pullRequest(commit(1, by(bot(49699333, "dependabot[bot]"), "dependabot[bot]", "support@github.com"), "bump")), on, policy.CLARule{}),
		RuleDCO, Pass, "1 bot commit skipped")
}
