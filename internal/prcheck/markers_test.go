package prcheck

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestFindMarkedIsTheAppsOwnComment: the sticky comment is the one the
// app's bot user (by ID) wrote starting with the marker; another app's
// bot's copy, and the app's own comment quoting the marker further down,
// are not it.
func TestFindMarkedIsTheAppsOwnComment(t *testing.T) {
	ctx := context.Background()
	w := newPRFake(t)
	app, f, inst := w.app, w.f, w.inst
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.AddUser(githubfake.User{Login: "mimic[bot]", Type: "Bot"}))
	client := app.Installation(t, inst.ID)
	bot, err := appbot.New(app.Clients).Resolve(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	at := PR{Owner: "acme", Name: "widget", Number: w.number}
	find := func() int64 {
		t.Helper()
		id, err := findMarked(ctx, client, at, bot)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	must(f.AddComment("acme", "widget", w.number, githubfake.Comment{User: "mimic[bot]", Body: commentMarker + "\nall good"}))
	must(f.AddComment("acme", "widget", w.number, githubfake.Comment{User: "alice", Body: commentMarker + "\nall good"}))
	must(f.AddComment("acme", "widget", w.number, githubfake.Comment{User: bot.Login, Body: "I could not read `" + commentMarker + "`"}))
	if id := find(); id != 0 {
		t.Fatalf("took comment %d for the sticky one", id)
	}
	own, err := f.AddComment("acme", "widget", w.number, githubfake.Comment{User: bot.Login, Body: commentMarker + "\nsign the CLA"})
	if err != nil {
		t.Fatal(err)
	}
	if id := find(); id != own.ID {
		t.Fatalf("found %d, want the app's own %d", id, own.ID)
	}
}
