package ghclient

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// The bot counts what the fake GitHub counts as content-generating.
func TestContentRoutesAreTheFakes(t *testing.T) {
	served := 0
	for _, r := range githubfake.Routes() {
		key := r.Method + " " + r.Template
		if got, want := contentRoutes[key], githubfake.ContentGenerating(r.Method, r.Template); got != want {
			t.Errorf("%s: content-generating for the bot %v, for the fake %v", key, got, want)
		}
		if contentRoutes[key] {
			served++
		}
	}
	if served != len(contentRoutes) {
		t.Errorf("%d of the bot's %d content routes are served by the fake", served, len(contentRoutes))
	}
	routes, err := parseRoutes(routesTxt)
	if err != nil {
		t.Fatal(err)
	}
	for key := range contentRoutes {
		_, tpl, _ := strings.Cut(key, " ")
		if routes.Match(tpl) != tpl {
			t.Errorf("%s is not a route template of GitHub's (routes.txt)", key)
		}
	}
}

// scriptedBudget answers reservations with the waits it is given, then 0.
type scriptedBudget struct {
	mu    sync.Mutex
	waits []time.Duration
	err   error
	calls []reservation
}

type reservation struct {
	installation int64
	background   bool
}

func (b *scriptedBudget) ReserveContent(_ context.Context, id int64, background bool, _ time.Time) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, reservation{id, background})
	if b.err != nil {
		return 0, b.err
	}
	if len(b.waits) == 0 {
		return 0, nil
	}
	w := b.waits[0]
	b.waits = b.waits[1:]
	return w, nil
}

func (b *scriptedBudget) script(err error, waits ...time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls, b.waits, b.err = nil, waits, err
}

func (b *scriptedBudget) reservations() []reservation {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]reservation(nil), b.calls...)
}

func TestBudgetTransport(t *testing.T) {
	f := githubfake.NewServer(t, githubfake.Options{AppID: testAppID, PublicKey: &testKey().PublicKey})
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widgets", Files: map[string]string{"README.md": "x\n"}}); err != nil {
		t.Fatal(err)
	}
	issue, err := f.AddIssue("acme", "widgets", githubfake.Issue{Title: "Bug", User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	budget := &scriptedBudget{}
	cc, err := NewClientCreator(Config{APIURL: f.URL() + "/", AppID: testAppID, PrivateKey: testKeyPEM(), RetryWait: time.Millisecond, Budget: budget}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gh, err := cc.NewInstallationClient(inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	comment := func(ctx context.Context) error {
		_, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", issue.Number, &github.IssueComment{Body: github.String("hi")})
		return err
	}
	comments := func() int { return len(f.Comments("acme", "widgets", issue.Number)) }

	if _, _, err := gh.Issues.Get(ctx, "acme", "widgets", issue.Number); err != nil {
		t.Fatal(err)
	}
	if got := budget.reservations(); len(got) != 0 {
		t.Errorf("a GET took content slots: %v", got)
	}

	if err := comment(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := budget.reservations(), []reservation{{inst.ID, false}}; !equalReservations(got, want) {
		t.Errorf("a comment took %v, want %v", got, want)
	}

	budget.script(nil)
	if err := comment(WithBackground(ctx)); err != nil {
		t.Fatal(err)
	}
	if got, want := budget.reservations(), []reservation{{inst.ID, true}}; !equalReservations(got, want) {
		t.Errorf("background work took %v, want %v", got, want)
	}

	// A short wait is spent in place, then the slot is taken.
	budget.script(nil, 50*time.Millisecond)
	if err := comment(ctx); err != nil {
		t.Fatalf("after a short wait: %v", err)
	}
	if n := len(budget.reservations()); n != 2 {
		t.Errorf("%d reservations, want 2 (one waited, one took the slot)", n)
	}

	// A long one is not: the request is not sent, and the job waits.
	before := comments()
	budget.script(nil, 90*time.Second)
	err = comment(ctx)
	var be *ContentBudgetError
	if !errors.As(err, &be) || be.InstallationID != inst.ID {
		t.Fatalf("with no slot for 90s: %v, want a ContentBudgetError", err)
	}
	if wait, ok := RetryAfter(err, time.Now()); !ok || wait != 90*time.Second {
		t.Errorf("RetryAfter = %s, %v; want 90s, true (the job snoozes)", wait, ok)
	}
	if Permanent(err) {
		t.Error("a request waiting for a content slot is permanent")
	}
	if got := comments(); got != before {
		t.Errorf("the request was sent without a slot: %d comments, want %d", got, before)
	}

	// The budget failing stops the request too: it is never sent unchecked.
	budget.script(errors.New("database is down"))
	if err := comment(ctx); err == nil || comments() != before {
		t.Errorf("with the budget failing: %v, %d comments (want an error and %d)", err, comments(), before)
	}
}

func equalReservations(a, b []reservation) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
