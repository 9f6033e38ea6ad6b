package server_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The new policy drops MIT, allows BSD-3-Clause, requires a README and
// turns codeowners on as a warning (whose needs no check gathered yet).
const planPolicy = `review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
  auto_close: true
repository:
  license: {mode: enforce, allowed: [Apache-2.0, BSD-3-Clause]}
  codeowners: {mode: warn}
  files: {mode: enforce, required: [README]}
`

// planBefore is the policy in force: review issues close once a
// repository is no longer flagged, so that open ones are the flagged.
const planBefore = `review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
  auto_close: true
repository:
  license: {mode: enforce, allowed: [Apache-2.0, MIT]}
  codeowners: {mode: off}
  files: {mode: warn, required: [README]}
`

// A pull request to .github that changes ospo.yml gets ospo/policy-plan,
// listing exactly the repositories that flag (and unflag) once it is
// merged and the bot has checked the org again.
func TestPolicyPlanListsWhatTheMergeFlags(t *testing.T) {
	s := newScenarioOn(t, store.SQLite, planBefore)
	readme := map[string]string{"README.md": "# x"}
	with := func(files map[string]string, more map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range files {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	repos := map[string]map[string]string{
		"mitlib": with(readme, map[string]string{"LICENSE": licenseText(t, "MIT.txt")}),          // MIT no longer allowed
		"apache": with(readme, map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")}),   // unchanged
		"nodocs": {"LICENSE": licenseText(t, "Apache-2.0.txt")},                                  // README now enforced
		"bsd":    with(readme, map[string]string{"LICENSE": licenseText(t, "BSD-3-Clause.txt")}), // BSD now allowed
	}
	for name, files := range repos {
		if _, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: name, Private: true, Files: files}); err != nil {
			t.Fatal(err)
		}
	}
	checkRepo := func(name string) {
		r, _ := s.GitHub.Repo("acme", name)
		s.deliver("repository", &github.RepositoryEvent{Action: github.String("created"),
			Repo: &github.Repository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()),
				Owner: &github.User{Login: github.String("acme")}, Private: github.Bool(r.Private), DefaultBranch: github.String("main")},
			Installation: &github.Installation{ID: github.Int64(s.inst.ID)}, Sender: &github.User{Login: github.String("admin")}})
	}
	for _, name := range []string{"widget", "mitlib", "apache", "nodocs", "bsd"} {
		checkRepo(name)
	}
	s.settled()
	before := s.flagged()
	if want := []string{"acme/bsd", "acme/widget"}; !slices.Equal(before, want) {
		t.Fatalf("flagged before: %q, want %q", before, want)
	}

	number := s.openPR(".github", "policy", "lead", nil, githubfake.NewCommit{Message: "policy: drop MIT",
		Author: githubfake.Signature{Name: "Lead", Email: "lead@acme.example"}, Files: map[string]string{"ospo.yml": planPolicy}})
	pr, _ := s.GitHub.PullRequest("acme", ".github", number)
	s.settled()
	var run githubfake.CheckRun
	for _, cr := range s.GitHub.CheckRuns("acme", ".github") {
		if cr.Name == check.PlanCheckName {
			if run.ID != 0 {
				t.Fatalf("two %s runs", check.PlanCheckName)
			}
			run = cr
		}
	}
	if run.ID == 0 || run.HeadSHA != pr.HeadSHA || run.Conclusion != "neutral" {
		t.Fatalf("%s: %+v", check.PlanCheckName, run)
	}
	summary := run.Output.Summary
	t.Logf("%s (%s):\n%s", run.Output.Title, run.Conclusion, summary)
	newly, noLonger := listed(summary, "Newly flagged"), listed(summary, "No longer flagged")
	if !strings.Contains(summary, "**Unknown: not gathered (5):**") || !strings.Contains(summary, "| `codeowners` | 0 | 0 | off → warn: 5 | 5 |") {
		t.Errorf("the plan does not say codeowners was not gathered:\n%s", summary)
	}
	// Another event at the same head plans nothing new.
	planWrites := func() int {
		return s.GitHub.CountRequests(func(r githubfake.Request) bool {
			return r.Method != "GET" && strings.Contains(r.Route, "check-runs") && strings.Contains(string(r.Body), check.PlanCheckName)
		})
	}
	writes := planWrites()
	s.prEvent(".github", number, "reopened")
	s.settled()
	if got := planWrites(); got != writes || len(s.planRuns()) != 1 {
		t.Errorf("the same head planned again: %d more writes, %d runs", got-writes, len(s.planRuns()))
	}

	// Merge it (as GitHub would: a merge commit on main) and let the bot check the org again.
	merge, err := s.GitHub.PushMerge("acme", ".github", "main", "policy", githubfake.NewCommit{Message: "Merge pull request",
		Author: githubfake.Signature{Name: "Lead", Email: "lead@acme.example"}, Files: map[string]string{"ospo.yml": planPolicy}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.GitHub.Repo("acme", ".github")
	s.deliver("push", &github.PushEvent{Ref: github.String("refs/heads/main"), After: github.String(merge.SHA),
		Commits: []*github.HeadCommit{{ID: github.String(merge.SHA), Modified: []string{"ospo.yml"}}},
		Repo: &github.PushEventRepository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()),
			DefaultBranch: github.String("main"), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)}})
	s.settled()
	after := s.flagged()
	var gotNewly, gotNoLonger []string
	for _, n := range after {
		if !slices.Contains(before, n) {
			gotNewly = append(gotNewly, n)
		}
	}
	for _, n := range before {
		if !slices.Contains(after, n) {
			gotNoLonger = append(gotNoLonger, n)
		}
	}
	if !slices.Equal(newly, gotNewly) || !slices.Equal(noLonger, gotNoLonger) || len(gotNewly) != 2 || len(gotNoLonger) != 1 {
		t.Fatalf("the plan said newly flagged %q, no longer %q; after the merge: newly %q, no longer %q\n%s", newly, noLonger, gotNewly, gotNoLonger, summary)
	}
}

func (s *scenario) planRuns() []githubfake.CheckRun {
	var out []githubfake.CheckRun
	for _, cr := range s.GitHub.CheckRuns("acme", ".github") {
		if cr.Name == check.PlanCheckName {
			out = append(out, cr)
		}
	}
	return out
}

// flagged lists the repositories with an open review issue, sorted.
func (s *scenario) flagged() []string {
	var out []string
	for _, is := range s.reviewIssues() {
		if is.State == "open" {
			out = append(out, strings.TrimPrefix(is.Title, "OSPO review: "))
		}
	}
	slices.Sort(out)
	return out
}

var listedRepo = regexp.MustCompile(`^- \[([^\]]+)\]`)

// listed reads the repositories of a plan's "### title (n)" list.
func listed(md, title string) []string {
	var out []string
	_, rest, ok := strings.Cut(md, "### "+title+" (")
	if !ok {
		return nil
	}
	for _, line := range strings.Split(rest, "\n")[2:] {
		m := listedRepo.FindStringSubmatch(line)
		if m == nil {
			break
		}
		out = append(out, strings.ReplaceAll(m[1], "\\", ""))
	}
	slices.Sort(out)
	return out
}

// An invalid ospo.yml in a pull request fails ospo/policy-plan with an
// annotation at each problem's line and column, 50 a request.
func TestPolicyPlanAnnotatesAnInvalidPolicy(t *testing.T) {
	s := newScenarioOn(t, store.SQLite, planBefore)
	var b strings.Builder
	b.WriteString("repository:\n  license: {mode: strict}\n")
	for i := range 59 {
		b.WriteString("  extra" + strings.Repeat("x", i) + ": 1\n")
	}
	number := s.openPR(".github", "broken", "lead", nil, githubfake.NewCommit{Message: "policy: typo",
		Author: githubfake.Signature{Name: "Lead", Email: "lead@acme.example"}, Files: map[string]string{"ospo.yml": b.String()}})
	s.settled()
	runs := s.planRuns()
	if len(runs) != 1 || runs[0].Conclusion != "failure" || !strings.HasPrefix(runs[0].Output.Title, "ospo.yml is invalid: 60 problems") {
		t.Fatalf("runs: %+v", runs)
	}
	as := runs[0].Output.Annotations
	if len(as) != 60 {
		t.Fatalf("%d annotations, want 60", len(as))
	}
	if a := as[0]; a.Path != "ospo.yml" || a.StartLine != 2 || a.EndLine != 2 || a.StartColumn != 19 || a.AnnotationLevel != "failure" || !strings.Contains(a.Message, `"strict" is not a mode`) {
		t.Errorf("first annotation: %+v", a)
	}
	if a := as[59]; a.StartLine != 61 || a.StartColumn != 3 {
		t.Errorf("last annotation: %+v", a)
	}
	if !strings.Contains(runs[0].Output.Summary, "ospo.yml:2:19: repository.license.mode") {
		t.Errorf("summary:\n%s", runs[0].Output.Summary)
	}
	s.prEvent(".github", number, "reopened")
	s.settled()
	if runs := s.planRuns(); len(runs) != 1 || len(runs[0].Output.Annotations) != 60 {
		t.Errorf("again at the same head: %d runs, %d annotations", len(runs), len(runs[0].Output.Annotations))
	}
}
