package check

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// signatures is a SignatureReader holding signatures of one org's CLA.
type signatures struct {
	org  string
	sigs map[int64]store.Signature
	read []int64 // the IDs asked for
}

func (s *signatures) Signatures(_ context.Context, org string, ids []int64) (map[int64]store.Signature, error) {
	s.read = append(s.read, ids...)
	out := map[int64]store.Signature{}
	for _, id := range ids {
		if sig, ok := s.sigs[id]; ok && org == s.org {
			out[id] = sig
		}
	}
	return out, nil
}

// approvals is an ApprovalReader holding the recorded approvals of every
// pull request.
type approvals []store.PathApproval

func (a approvals) PathApprovals(context.Context, string, int) ([]store.PathApproval, error) {
	return a, nil
}

// deciders is a Deciders that lets the listed logins decide.
type deciders []string

func (d deciders) MayDecide(_ context.Context, _ authz.Authority, login string) (bool, error) {
	return slices.Contains(d, login), nil
}

// prWorld is an org with a team of approvers (lead), a member outside it
// (dev), and a pull request by alice into acme/widget whose one commit
// changes the files given.
func prWorld(t *testing.T, files map[string]string) (*github.Client, PullRequest, githubfake.User) {
	t.Helper()
	app := fakeapp.New(t)
	gh := app.GitHub
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := gh.AddOrg(githubfake.Org{Login: "acme"})
	must(err)
	must(gh.SetOrgMembership("acme", githubfake.Membership{Login: "dev"}))
	_, err = gh.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo"})
	must(err)
	must(gh.SetTeamMembership("acme", "ospo", githubfake.Membership{Login: "lead"}))
	alice, err := gh.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.com"}})
	must(err)
	_, err = gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget\n", "LICENSE": "MIT\n"}})
	must(err)
	inst, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	must(err)
	_, err = gh.Push("acme", "widget", "topic", githubfake.NewCommit{Message: "change", Files: files,
		Author: githubfake.Signature{Name: "Alice", Email: "alice@example.com", Login: "alice"}})
	must(err)
	fpr, err := gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: "topic"})
	must(err)
	client := app.Installation(t, inst.ID)
	ghpr, _, err := client.PullRequests.Get(context.Background(), "acme", "widget", fpr.Number)
	must(err)
	return client, PullRequestOf(inst.ID, ghpr, "ospo-bot-job-1"), alice
}

// prPolicy: the CLA and protected paths enforced, approvers the ospo team.
func prPolicy() gathered {
	p := policy.Policy{
		Review:      policy.Review{Approvers: []string{"@acme/ospo"}},
		PullRequest: policy.PullRequestRules{CLA: policy.CLARule{Mode: policy.Enforce, Document: "https://acme.example/cla", Version: "2"}},
	}.WithDefaults()
	return gathered{eff: &policy.Effective{Policy: p, Version: "test"}}
}

func finding(t *testing.T, fs []rules.Finding, rule string) rules.Finding {
	t.Helper()
	for _, f := range fs {
		if f.Rule == rule {
			return f
		}
	}
	t.Fatalf("no %s finding in %+v", rule, fs)
	return rules.Finding{}
}

// The gatherer reads the CLA signatures through its SignatureReader: a
// signature on record makes the CLA pass; without one, the signer-to-be
// blocks the pull request.
func TestGatherReadsSignatures(t *testing.T) {
	client, pr, alice := prWorld(t, map[string]string{"main.go": "package main\n"})
	ctx := context.Background()
	for _, signed := range []bool{true, false} {
		sigs := &signatures{org: "acme", sigs: map[int64]store.Signature{}}
		if signed {
			sigs.sigs[alice.ID] = store.Signature{Org: "acme", UserID: alice.ID, Login: "alice", Version: "2", SignedAt: time.Now()}
		}
		c := &Checker{Signatures: sigs, Approvals: approvals{}, Deciders: deciders{},
			Lookups: snapshot.NewLookupCache(snapshot.DefaultLookupCacheSize, snapshot.DefaultLookupCacheTTL)}
		in, err := c.gatherPullRequest(ctx, client, pr, prPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(sigs.read, alice.ID) {
			t.Fatalf("signed %v: the reader was asked for %v, not alice (%d)", signed, sigs.read, alice.ID)
		}
		out := evaluatePullRequest(pr, in)
		cla := finding(t, out.findings, rules.RuleCLA)
		switch {
		case signed && (cla.Result != rules.Pass || len(out.blockers) > 0 || out.conclusion != "success"):
			t.Errorf("signed: CLA %s (%s), blockers %v, conclusion %s; want a pass", cla.Result, cla.Message, out.blockers, out.conclusion)
		case !signed && (cla.Result != rules.Fail || !slices.Equal(out.blockers, []int64{alice.ID}) || !strings.Contains(out.note, "alice")):
			t.Errorf("unsigned: CLA %s, blockers %v, note %q; want a failure blocked by alice", cla.Result, out.blockers, out.note)
		}
	}
}

// The approvals of protected paths come from the ApprovalReader, each
// authorised by who may decide: the live answer of GitHub (a member of
// the org outside the approvers' team may not) or a Deciders of its own.
func TestGatherReadsApprovals(t *testing.T) {
	client, pr, alice := prWorld(t, map[string]string{"LICENSE": "Apache\n"})
	ctx := context.Background()
	signed := &signatures{org: "acme", sigs: map[int64]store.Signature{alice.ID: {UserID: alice.ID, Login: "alice", Version: "2"}}}
	at := func(login string) approvals {
		return approvals{{CommentID: 1, Login: login, HeadSHA: pr.HeadSHA, URL: "https://github.com/acme/widget/pull/1#c1", At: time.Now()}}
	}
	for _, tt := range []struct {
		name     string
		recorded approvals
		deciders Deciders
		want     rules.Result
	}{
		{"none recorded", approvals{}, nil, rules.Fail},
		{"a team member, asked of GitHub", at("lead"), nil, rules.Pass},
		{"an org member outside the team, asked of GitHub: refused", at("dev"), nil, rules.Fail},
		{"a stranger, asked of GitHub: refused", at("mallory"), nil, rules.Fail},
		{"a decider of the test's own", at("mallory"), deciders{"mallory"}, rules.Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Signatures: signed, Approvals: tt.recorded, Deciders: tt.deciders,
				Lookups: snapshot.NewLookupCache(snapshot.DefaultLookupCacheSize, snapshot.DefaultLookupCacheTTL)}
			in, err := c.gatherPullRequest(ctx, client, pr, prPolicy())
			if err != nil {
				t.Fatal(err)
			}
			if got := finding(t, evaluatePullRequest(pr, in).findings, rules.RuleProtectedPaths); got.Result != tt.want {
				t.Errorf("protected paths %s (%s), want %s", got.Result, got.Message, tt.want)
			}
		})
	}
}

// Evaluate is pure: over the same gathered input it decides the same,
// twice, with no client and no store, and leaves the input as it was.
func TestEvaluateIsPure(t *testing.T) {
	alice := rules.Account{ID: 7, Login: "alice", Type: "User"}
	snap := &rules.PullRequest{Owner: "acme", Name: "widget", Number: 3, HeadSHA: "abc", Opener: alice, CommitCount: 1, CommitsComplete: true,
		Commits:       []rules.Commit{{SHA: "abc", Message: "change", Author: rules.Person{Name: "Alice", Email: "alice@example.com", Account: &alice}}},
		Files:         []string{"main.go"},
		FilesRead:     1,
		FileCount:     1,
		FilesComplete: true,
		Signatures:    map[int64]rules.Signature{},
	}
	in := &pullRequestInput{gathered: prPolicy(), snap: snap, web: "https://github.com"}
	pr := PullRequest{PR: prcheck.PR{Owner: "acme", Name: "widget", Number: 3, HeadSHA: "abc", HTMLURL: "https://github.com/acme/widget/pull/3"}}
	before := *snap
	first, second := evaluatePullRequest(pr, in), evaluatePullRequest(pr, in)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("two evaluations differ:\n%+v\n%+v", first, second)
	}
	if !reflect.DeepEqual(before, *snap) {
		t.Errorf("evaluation changed its input")
	}
	if first.conclusion != "failure" || !slices.Equal(first.blockers, []int64{7}) || !strings.Contains(first.note, "@alice must sign") {
		t.Errorf("conclusion %s, blockers %v, note %q: want alice to sign", first.conclusion, first.blockers, first.note)
	}

	// A repository: the labels to fix are planned, and the rules read the
	// snapshot as it will be once they are; the gathered one is untouched.
	rp := policy.Policy{Repository: policy.RepositoryRules{Labels: policy.LabelsRule{Mode: policy.Enforce, Fix: true,
		Required: []policy.Label{{Name: "kind/bug", Color: "d73a4a"}}}}}.WithDefaults()
	rs := &rules.Snapshot{ID: 9, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget", Labels: []policy.Label{}}
	rin := &repositoryInput{gathered: gathered{eff: &policy.Effective{Policy: rp}}, snap: rs, state: review.State{}}
	r := Repository{InstallationID: 1, ID: 9, Owner: "acme", Name: "widget", Evaluation: "ospo-bot-job-2"}
	out := evaluateRepository(r, rin)
	if len(out.create) != 1 || len(rs.Labels) != 0 || len(out.snap.Labels) != 1 {
		t.Errorf("labels: create %v; gathered %v; evaluated %v", out.create, rs.Labels, out.snap.Labels)
	}
	if f := finding(t, out.findings, rules.RuleLabels); f.Result != rules.Pass {
		t.Errorf("labels rule %s (%s): it reads the snapshot as fixed", f.Result, f.Message)
	}
	if !reflect.DeepEqual(out, evaluateRepository(r, rin)) {
		t.Errorf("two evaluations of the repository differ")
	}
}

// TestEvaluateExpiredExemption: a repository check reads the review's
// exemptions at the time it gathered: before the expiry the rule is
// exempt and nothing is flagged, from the expiry on it fails again and
// the repository is flagged.
func TestEvaluateExpiredExemption(t *testing.T) {
	rp := policy.Policy{}.WithDefaults()
	rs := &rules.Snapshot{ID: 9, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget", Private: true}
	expires := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	st := review.State{Status: review.Pending, Exemptions: map[string]review.Decision{}}
	for _, f := range rules.Evaluate(rs, rp.Repository) {
		if f.Failing() {
			st.Exemptions[f.Rule] = review.Decision{Actor: "lead", Verb: review.Exempt, Rule: f.Rule, Reason: "r", Expires: expires}
		}
	}
	if len(st.Exemptions) == 0 {
		t.Fatal("the default policy fails nothing on an empty repository: no rule to exempt")
	}
	r := Repository{InstallationID: 1, ID: 9, Owner: "acme", Name: "widget", Evaluation: "e"}
	in := &repositoryInput{gathered: gathered{eff: &policy.Effective{Policy: rp}}, snap: rs, state: st}
	in.at = expires.Add(-time.Second)
	if out := evaluateRepository(r, in); out.report.Flagged || len(review.FailingEnforce(out.findings)) != 0 {
		t.Fatalf("before the expiry: flagged %v, failing %v", out.report.Flagged, review.FailingEnforce(out.findings))
	}
	in.at = expires
	out := evaluateRepository(r, in)
	if !out.report.Flagged || len(out.report.State.Exemptions) != 0 || len(review.FailingEnforce(out.findings)) != len(st.Exemptions) {
		t.Fatalf("after the expiry: flagged %v, failing %v, exemptions shown %v", out.report.Flagged, review.FailingEnforce(out.findings), out.report.State.Exemptions)
	}
}

// allowances is an AllowanceReader of fixed allowances that counts its
// reads.
type allowances struct {
	list  []store.PackageAllowance
	reads int
}

func (a *allowances) PackageAllowances(_ context.Context, repository string, number int) ([]store.PackageAllowance, error) {
	a.reads++
	return a.list, nil
}

// The `/ospo allow`s come from the AllowanceReader when the dependencies
// rule is on, and are not read when it is off.
func TestGatherReadsAllowances(t *testing.T) {
	client, pr, alice := prWorld(t, map[string]string{"main.go": "package main\n"})
	ctx := context.Background()
	signed := &signatures{org: "acme", sigs: map[int64]store.Signature{alice.ID: {UserID: alice.ID, Login: "alice", Version: "2"}}}
	at := time.Unix(1_700_000_000, 0).UTC()
	for _, on := range []bool{true, false} {
		reader := &allowances{list: []store.PackageAllowance{{CommentID: 5, Package: "pkg:npm/left-pad", Login: "lead", Reason: "vetted", URL: "https://x.example/c5", At: at}}}
		c := &Checker{Signatures: signed, Approvals: approvals{}, Deciders: deciders{}, Allowances: reader,
			Lookups: snapshot.NewLookupCache(snapshot.DefaultLookupCacheSize, snapshot.DefaultLookupCacheTTL)}
		pol := prPolicy()
		if on {
			pol.eff.Policy.PullRequest.Dependencies.Mode = policy.Warn
		}
		in, err := c.gatherPullRequest(ctx, client, pr, pol)
		if err != nil {
			t.Fatal(err)
		}
		want := []rules.PackageAllowance(nil)
		if on {
			want = []rules.PackageAllowance{{Package: "pkg:npm/left-pad", Reason: "vetted", Login: "lead", At: at, URL: "https://x.example/c5"}}
		}
		if !reflect.DeepEqual(in.snap.Allowed, want) || reader.reads != len(want) {
			t.Errorf("rule on %v: allowed %+v after %d reads, want %+v", on, in.snap.Allowed, reader.reads, want)
		}
	}
}

// The sticky comment says what to do about dependencies only when the
// author must act: an enforced failure that is not only unknown licences.
func TestDependenciesNoteWhenTheAuthorMustAct(t *testing.T) {
	gpl := rules.Dependency{PURL: "pkg:npm/gpl-thing@2.0.0", Manifest: "package.json", Scope: "runtime", License: "GPL-3.0-only"}
	mystery := rules.Dependency{PURL: "pkg:npm/mystery@1.0.0", Manifest: "package.json", Scope: "runtime", License: "NOASSERTION"}
	for _, tt := range []struct {
		name    string
		mode    policy.Mode
		unknown policy.Mode
		deps    []rules.Dependency
		allowed []rules.PackageAllowance
		note    bool
	}{
		{"enforced, a GPL dependency", policy.Enforce, policy.Warn, []rules.Dependency{gpl}, nil, true},
		{"warned", policy.Warn, policy.Warn, []rules.Dependency{gpl}, nil, false},
		{"only an unknown licence, enforced", policy.Enforce, policy.Enforce, []rules.Dependency{mystery}, nil, false},
		{"allowed by an approver", policy.Enforce, policy.Warn, []rules.Dependency{gpl}, []rules.PackageAllowance{{Package: "pkg:npm/gpl-thing", Login: "lead", Reason: "ok"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pol := prPolicy()
			pol.eff.Policy.PullRequest.CLA.Mode = policy.Off
			pol.eff.Policy.PullRequest.Dependencies = policy.DependenciesRule{Mode: tt.mode, Allowed: []string{"MIT"}, Unknown: tt.unknown, Scopes: []string{"runtime"}}
			snap := &rules.PullRequest{Owner: "acme", Name: "widget", Number: 3, HeadSHA: "abc", FilesComplete: true,
				Dependencies: &rules.DependencyChanges{Added: tt.deps}, Allowed: tt.allowed}
			pr := PullRequest{PR: prcheck.PR{Owner: "acme", Name: "widget", Number: 3, HeadSHA: "abc", HTMLURL: "https://github.com/acme/widget/pull/3"}}
			out := evaluatePullRequest(pr, &pullRequestInput{gathered: pol, snap: snap, web: "https://github.com"})
			has := strings.Contains(out.note, "**Dependency licences.**") && strings.Contains(out.note, "https://github.com/acme/widget/pull/3/checks")
			if has != tt.note {
				t.Errorf("note %q: want a dependencies paragraph %v", out.note, tt.note)
			}
		})
	}
}
