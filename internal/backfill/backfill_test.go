package backfill_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/backfill"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// org is a fake GitHub with acme's pull requests over a few months, the
// app installed on acme and on another org, and the bot's client stack.
type org struct {
	t      *testing.T
	gh     *githubfake.Fake
	st     *store.Store
	opts   backfill.Options
	skew   atomic.Int64 // how far Sleep moved both clocks on
	inWin  int          // pull requests of acme within 90 days
	review map[int]time.Time
}

var start = time.Now().UTC().Truncate(time.Second)

const window = time.Minute // the fake's rate limit window

func newOrg(t *testing.T, d store.Dialect, rateLimit int) *org {
	t.Helper()
	o := &org{t: t, review: map[int]time.Time{}}
	now := func() time.Time { return start.Add(time.Duration(o.skew.Load())) }
	// A window of a minute: the installation token, which ghinstallation
	// renews by the real clock, outlives the waits.
	o.gh = githubfake.NewServer(t, githubfake.Options{AppID: fakeapp.ID, PublicKey: &fakeapp.Key().PublicKey, RateLimit: rateLimit,
		RateWindow: window, Now: now})
	o.st = storetest.Open(t, d)
	o.opts = backfill.Options{Days: 90, Org: "acme", Now: now, Sleep: func(ctx context.Context, d time.Duration) error {
		o.skew.Add(int64(d))
		return nil
	}}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, login := range []string{"acme", "other"} {
		must(o.gh.AddOrg(githubfake.Org{Login: login}))
	}
	for _, u := range []string{"alice", "bob", "lead"} {
		must(o.gh.AddUser(githubfake.User{Login: u}))
	}
	day := 24 * time.Hour
	for _, repo := range []string{"widget", "gadget"} {
		must(o.gh.AddRepo(githubfake.Repo{Owner: "acme", Name: repo, Files: map[string]string{"README.md": repo}}))
		// Oldest first, as they were opened: one older than the window,
		// then three within it.
		for i, age := range []time.Duration{120 * day, 60 * day, 30 * day, 2 * day} {
			branch := fmt.Sprintf("b%d", i)
			must(o.gh.CreateBranch("acme", repo, branch, "main"))
			pr := githubfake.PullRequest{Title: "change", User: "alice", Head: branch, CreatedAt: start.Add(-age)}
			switch i {
			case 1:
				pr.State, pr.Merged = "closed", true
			case 2:
				pr.State = "closed"
			}
			created, err := o.gh.AddPullRequest("acme", repo, pr)
			if err != nil {
				t.Fatal(err)
			}
			if age < 90*day {
				o.inWin++
			}
			at := pr.CreatedAt
			// The author's own comment and a bot's come first: neither is
			// a response. Then bob's comment, after lead's review.
			must(o.gh.AddComment("acme", repo, created.Number, githubfake.Comment{User: "alice", Body: "ready", CreatedAt: at.Add(time.Minute)}))
			must(o.gh.AddComment("acme", repo, created.Number, githubfake.Comment{User: "helper[bot]", Body: "hi", CreatedAt: at.Add(2 * time.Minute)}))
			if i == 3 {
				continue // no response yet
			}
			must(o.gh.AddComment("acme", repo, created.Number, githubfake.Comment{User: "bob", Body: "thanks", CreatedAt: at.Add(3 * time.Hour)}))
			rv, err := o.gh.AddReview("acme", repo, created.Number, githubfake.Review{User: "lead", State: "COMMENTED", SubmittedAt: at.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			o.review[created.Number] = rv.SubmittedAt
		}
	}
	must(o.gh.AddRepo(githubfake.Repo{Owner: "other", Name: "thing", Files: map[string]string{"README.md": "x"}}))
	must(o.gh.CreateBranch("other", "thing", "b", "main"))
	must(o.gh.AddPullRequest("other", "thing", githubfake.PullRequest{Title: "x", User: "bob", Head: "b"}))
	must(o.gh.AddInstallation(githubfake.Installation{Account: "acme"}))
	must(o.gh.AddInstallation(githubfake.Installation{Account: "other"}))
	return o
}

func (o *org) run() backfill.Result {
	o.t.Helper()
	res, err := o.runErr()
	if err != nil {
		o.t.Fatal(err)
	}
	return res
}

func (o *org) runErr() (backfill.Result, error) {
	cc, err := ghclient.NewClientCreator(ghclient.Config{APIURL: o.gh.URL() + "/", AppID: fakeapp.ID, PrivateKey: fakeapp.KeyPEM(),
		UserAgent: "ospo-bot/test", RetryWait: time.Millisecond}, nil)
	if err != nil {
		o.t.Fatal(err)
	}
	return backfill.Run(context.Background(), cc, o.st, o.opts)
}

// charged counts the installation requests GitHub charges (not the token,
// nor GET /rate_limit).
func (o *org) charged() int {
	return o.gh.CountRequests(func(r githubfake.Request) bool {
		return r.InstallationID != 0 && r.Route != "/rate_limit"
	})
}

func (o *org) facts() string {
	o.t.Helper()
	rows, err := o.st.DB.Query(`SELECT repository, number, author, opened_at, first_response_at, first_responder, closed_at, merged
		FROM pull_request_facts ORDER BY repository, number`)
	if err != nil {
		o.t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var repo, author, responder string
		var n int
		var opened, responded, closed int64
		var merged bool
		if err := rows.Scan(&repo, &n, &author, &opened, &responded, &responder, &closed, &merged); err != nil {
			o.t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s#%d %s opened %d response %d by %s closed %d merged %v\n", repo, n, author, opened, responded, responder, closed, merged)
	}
	return b.String()
}

func TestBackfill(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			o := newOrg(t, d, 5000)
			res := o.run()
			// One page of repositories, one page of pull requests per
			// repository (the listing stops at the first one older than
			// the window), and a page of reviews and of comments per pull
			// request.
			want := 1 + 2 + 2*o.inWin
			if res.Requests != want || o.charged() != want {
				t.Fatalf("%d requests counted, the fake saw %d, want %d", res.Requests, o.charged(), want)
			}
			if res.PullRequests != o.inWin || res.Repositories != 2 || res.Installations != 1 || res.Waits != 0 {
				t.Fatalf("result %+v", res)
			}
			var n int
			if err := o.st.DB.QueryRow(`SELECT COUNT(*) FROM pull_request_facts`).Scan(&n); err != nil || n != o.inWin {
				t.Fatalf("%d rows (%v), want the %d pull requests of acme within 90 days", n, err, o.inWin)
			}
			rows, err := o.st.DB.Query(`SELECT number, first_responder, first_response_at, closed_at, merged FROM pull_request_facts WHERE repository = 'acme/widget'`)
			if err != nil {
				t.Fatal(err)
			}
			states := map[string]int{}
			for rows.Next() {
				var num int
				var who string
				var at, closed int64
				var merged bool
				if err := rows.Scan(&num, &who, &at, &closed, &merged); err != nil {
					t.Fatal(err)
				}
				if rv, ok := o.review[num]; ok && (who != "lead" || at != rv.Unix()) {
					t.Errorf("#%d: first response %s at %d, want lead's review at %d", num, who, at, rv.Unix())
				} else if !ok && (who != "" || at != 0) {
					t.Errorf("#%d: first response %s at %d, want none (the author's and a bot's comments only)", num, who, at)
				}
				switch {
				case merged && closed != 0:
					states["merged"]++
				case closed != 0:
					states["closed"]++
				default:
					states["open"]++
				}
			}
			rows.Close()
			if states["merged"] != 1 || states["closed"] != 1 || states["open"] != 1 {
				t.Errorf("states %v, want one merged, one closed, one open", states)
			}

			// Again: only the listings; nothing new written.
			before, requests := o.facts(), o.charged()
			res = o.run()
			if got := o.charged() - requests; got != 3 || res.Skipped != o.inWin || res.PullRequests != 0 {
				t.Fatalf("second run: %d requests, result %+v; want 3 (the listings) and every pull request skipped", got, res)
			}
			if o.facts() != before {
				t.Fatalf("second run changed the facts:\n%s\nwas\n%s", o.facts(), before)
			}
		})
	}
}

// An interrupted run resumes: what it filled is not asked for again.
func TestBackfillResumes(t *testing.T) {
	o := newOrg(t, store.SQLite, 5000)
	// The comments of acme/widget's second newest pull request fail for
	// good (a 404 is not retried), after the newest was filled.
	numbers := []int{}
	for _, pr := range o.gh.PullRequests("acme", "widget") {
		numbers = append(numbers, pr.Number)
	}
	second := numbers[len(numbers)-2]
	o.gh.InjectFault(githubfake.Fault{Route: fmt.Sprintf("/repos/acme/widget/issues/%d/comments", second), Kind: githubfake.Status(http.StatusNotFound)})
	if _, err := o.runErr(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("#%d", second)) {
		t.Fatalf("run with a failing listing: %v", err)
	}
	requests := o.charged()
	res := o.run()
	// The newest of widget is skipped; the rest are filled: listings (3)
	// and two pages for each of the others.
	if want := 3 + 2*(o.inWin-1); o.charged()-requests != want || res.Skipped != 1 || res.PullRequests != o.inWin-1 {
		t.Fatalf("resumed run: %d requests, %+v; want %d requests, 1 skipped", o.charged()-requests, res, want)
	}
}

// With a small rate limit the backfill waits for the resets instead of
// spending the reserve, and GitHub refuses nothing.
func TestBackfillPaces(t *testing.T) {
	const limit = 10 // 5 a window for the backfill
	o := newOrg(t, store.SQLite, limit)
	res := o.run()
	if res.PullRequests != o.inWin {
		t.Fatalf("result %+v, want %d pull requests", res, o.inWin)
	}
	// 15 requests at 5 a window: at least two waits.
	if res.Waits < 2 {
		t.Fatalf("%d waits for 15 requests at 5 a window", res.Waits)
	}
	refused := o.gh.CountRequests(func(r githubfake.Request) bool {
		return r.Status == http.StatusForbidden || r.Status == http.StatusTooManyRequests
	})
	if refused != 0 {
		t.Fatalf("GitHub refused %d requests", refused)
	}
	// Between two waits (the fake's clock moves only in them), at most
	// what the reserve leaves.
	var bursts []int
	var last time.Time
	for _, r := range o.gh.Requests() {
		if r.InstallationID == 0 || r.Route == "/rate_limit" {
			continue
		}
		if len(bursts) == 0 || r.Time.Sub(last) >= window/2 {
			bursts = append(bursts, 0)
		}
		bursts[len(bursts)-1]++
		last = r.Time
	}
	for i, n := range bursts {
		if n > limit/2 {
			t.Errorf("burst %d: %d requests in a window, more than the %d the reserve leaves (bursts %v)", i, n, limit/2, bursts)
		}
	}
}

func TestBackfillUnknownOrg(t *testing.T) {
	o := newOrg(t, store.SQLite, 5000)
	o.opts.Org = "nobody"
	if _, err := o.runErr(); err == nil || !strings.Contains(err.Error(), "not installed on nobody") {
		t.Fatalf("err = %v", err)
	}
}
