package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// pacingPolicy checks repositories (a review issue for one without a
// license) and pull requests (a kind label).
const pacingPolicy = orgPolicy + `pull_request:
  labels: {mode: enforce, one_of: [[kind/bug, kind/feature]]}
`

// addOrgRepos adds n repositories to acme and returns their names: every
// tenth public without a LICENSE (flagged: a review issue), the others
// private with one (compliant, nothing to review).
func addOrgRepos(t testing.TB, fake *githubfake.Fake, n int) []string {
	t.Helper()
	mit := licenseFile(t)
	var names []string
	for i := range n {
		files := map[string]string{"README": "repository"}
		flagged := i%10 == 0
		if !flagged {
			files["LICENSE"] = mit
		}
		name := fmt.Sprintf("repo-%04d", i)
		if _, err := fake.AddRepo(githubfake.Repo{Owner: "acme", Name: name, Files: files, Private: !flagged}); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

func installationPayload(id int64, action string) []byte {
	return fmt.Appendf(nil, `{"action":%q,"installation":{"id":%d,"account":{"login":"acme","type":"Organization"},"repository_selection":"all"},"sender":{"login":"admin"}}`, action, id)
}

// repositoryChecks lists the repository check jobs in these states, by
// repository ID.
func repositoryChecks(t testing.TB, q *jobs.Queue, paced bool, states ...rivertype.JobState) map[int64]int {
	t.Helper()
	res, err := q.Client().JobList(context.Background(), river.NewJobListParams().Kinds(jobs.CheckRepositoryArgs{}.Kind()).States(states...).First(10000))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for _, j := range res.Jobs {
		var a jobs.CheckRepositoryArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		if a.Paced == paced {
			out[a.RepositoryID]++
		}
	}
	return out
}

var waitingStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStatePending, rivertype.JobStateRetryable}

// TestLargeInstallIsPacedByTheRateLimit: 60 repositories installed on a
// fake whose primary rate limit is 100 requests per 2 s window (far fewer
// than the checks need in one window). A second installation event and a
// sweep arrive during the install and add no check of a repository that
// waits for one; a pull request opened meanwhile is checked at once; every
// repository is eventually checked, the flagged ones get their review
// issue, and GitHub never answers that the rate limit is used up.
func TestLargeInstallIsPacedByTheRateLimit(t *testing.T) {
	s := newScenarioWith(t, store.SQLite, pacingPolicy, githubfake.Options{RateLimit: 100, RateWindow: 2 * time.Second})
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	addOrgRepos(t, s.GitHub, 60)
	all := len(s.GitHub.Repos("acme"))

	installed := time.Now()
	s.deliverJSON("installation", installationPayload(s.inst.ID, "created"))
	s.deliverJSON("installation", installationPayload(s.inst.ID, "new_permissions_accepted"))
	if _, err := s.App.Queue.Client().Insert(context.Background(), jobs.SweepArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	stacked := func() {
		t.Helper()
		for id, n := range repositoryChecks(t, s.App.Queue, true, waitingStates...) {
			if n > 1 {
				res, _ := s.App.Queue.Client().JobList(context.Background(), river.NewJobListParams().Kinds(jobs.CheckRepositoryArgs{}.Kind()).First(10000))
				for _, j := range res.Jobs {
					var a jobs.CheckRepositoryArgs
					_ = json.Unmarshal(j.EncodedArgs, &a)
					if a.RepositoryID == id {
						t.Logf("job %d %s %s attempt %d scheduled %s errors %v meta %s", j.ID, j.State, j.EncodedArgs, j.Attempt, j.ScheduledAt.Format(time.StampMilli), j.Errors, j.Metadata)
					}
				}
				t.Fatalf("repository %d has %d paced checks waiting", id, n)
			}
		}
	}
	stacked()

	n := s.openPR("widget", "feature", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "Add feature", Author: alice, Files: map[string]string{"feature.go": "package feature"}})
	s.until("the pull request's check completes", func() bool {
		runs := s.checks("widget", n)
		return len(runs) > 0 && runs[len(runs)-1].Status == "completed"
	})
	if waiting := len(repositoryChecks(t, s.App.Queue, true, waitingStates...)); waiting == 0 {
		t.Fatal("the install was over before the pull request's check: the test shows nothing")
	} else {
		t.Logf("the pull request was checked while %d repositories waited for theirs", waiting)
	}

	deadline := time.Now().Add(2 * time.Minute)
	for {
		stacked()
		if done := checkedRepositories(t, s.App.Store); done == all {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("%d of %d repositories checked", done, all)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var flagged int
	if err := s.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM repository_checks WHERE flagged`).Scan(&flagged); err != nil {
		t.Fatal(err)
	}
	if issues := len(s.reviewIssuesOf("acme")); flagged < 6 || issues != flagged {
		t.Fatalf("%d repositories flagged (6 of the 60 have no license), %d review issues", flagged, issues)
	}
	refused := s.GitHub.CountRequests(func(r githubfake.Request) bool { return r.Status == http.StatusForbidden })
	charged := s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.InstallationID == s.inst.ID && !r.NotModified && r.Route != "/rate_limit"
	})
	if refused != 0 {
		t.Fatalf("%d requests refused (the rate limit used up)", refused)
	}
	t.Logf("%d repositories checked in %s with %d charged requests, %.1f windows' worth", all, time.Since(installed).Round(time.Millisecond), charged, float64(charged)/100)
}

// checkedRepositories is how many repositories have a recorded check.
func checkedRepositories(t testing.TB, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB.QueryRow(`SELECT COUNT(*) FROM repository_checks`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func licenseFile(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "licenses", "MIT.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFanOutOpensReviewIssuesAsBackgroundWork: a fan-out's checks take
// their content slots as background work, under the budget's lower
// ceiling (here 3 an hour), so that a large install leaves room for pull
// requests; a check that a push asks for is interactive and is not held
// by that ceiling.
func TestFanOutOpensReviewIssuesAsBackgroundWork(t *testing.T) {
	s := newScenario(t, orgPolicy)
	const ceiling = 3
	l := store.DefaultContentLimits
	l.BackgroundPerMinute, l.BackgroundPerHour = ceiling, ceiling
	s.App.Store.SetContentLimits(l)
	names := addOrgRepos(t, s.GitHub, 30) // repo-0000, repo-0010 and repo-0020 are flagged, beside the scenario's
	content := func() int {
		return s.GitHub.CountRequests(func(r githubfake.Request) bool {
			return r.InstallationID == s.inst.ID && r.Method != http.MethodGet && r.Method != http.MethodHead
		})
	}
	before := content()

	s.deliverJSON("installation", installationPayload(s.inst.ID, "created"))
	s.until("the fan-out's checks ran or wait for a content slot", func() bool {
		var busy, waiting int
		_ = s.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'pending')`).Scan(&busy)
		_ = s.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state = 'scheduled' AND kind = 'check_repository'`).Scan(&waiting)
		return busy == 0 && waiting > 0
	})
	if n := content() - before; n != ceiling {
		t.Fatalf("the fan-out made %d content-generating requests; its background ceiling allows %d", n, ceiling)
	}

	var waiting string
	for _, name := range []string{names[0], names[10], names[20]} {
		if !s.hasReviewIssue(name) {
			waiting = name
			break
		}
	}
	if waiting == "" {
		t.Fatal("every flagged repository has its review issue: the ceiling held nothing back")
	}
	s.push(waiting, map[string]string{"README": "changed"})
	s.until("the push's check opens the review issue of "+waiting, func() bool { return s.hasReviewIssue(waiting) })
}

// hasReviewIssue reports whether acme's repository name has a review issue.
func (s *scenario) hasReviewIssue(name string) bool {
	for _, is := range s.reviewIssues() {
		if strings.Contains(is.Title, "acme/"+name) {
			return true
		}
	}
	return false
}
