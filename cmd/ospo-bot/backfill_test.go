package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

func TestBackfillCommand(t *testing.T) {
	fake := githubfake.NewServer(t, githubfake.Options{AppID: fakeapp.ID, PublicKey: &fakeapp.Key().PublicKey})
	if _, err := fake.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "w"}}); err != nil {
		t.Fatal(err)
	}
	for i, age := range []time.Duration{40 * 24 * time.Hour, time.Hour} {
		branch := []string{"old", "new"}[i]
		if _, err := fake.CreateBranch("acme", "widget", branch, "main"); err != nil {
			t.Fatal(err)
		}
		if _, err := fake.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "x", User: "alice", Head: branch, CreatedAt: time.Now().Add(-age)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fake.AddInstallation(githubfake.Installation{Account: "acme"}); err != nil {
		t.Fatal(err)
	}
	db := "sqlite://" + filepath.Join(t.TempDir(), "b.db")
	for k, v := range map[string]string{"OSPO_CONFIG": "", "OSPO_DATABASE_URL": db, "OSPO_GITHUB_API_URL": fake.URL() + "/",
		"OSPO_GITHUB_APP_ID": "4242", "OSPO_GITHUB_PRIVATE_KEY": string(fakeapp.KeyPEM()), "OSPO_GITHUB_PRIVATE_KEY_FILE": "",
		"OSPO_GITHUB_WEBHOOK_SECRET": "s", "OSPO_LOG_LEVEL": "warn"} {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"backfill", "--days", "30", "--org", "acme"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "backfilled 1 pull requests of the last 30 days in 1 repositories of 1 installations") {
		t.Fatalf("stdout: %s", stdout.String())
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.DB.QueryRow(`SELECT COUNT(*) FROM pull_request_facts WHERE author = 'alice'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d rows, %v", n, err)
	}

	stdout.Reset()
	stderr.Reset()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backfill", "--days", "0"}, "--days must be positive"},
		{[]string{"backfill", "--org", "nobody"}, "ospo-bot is not installed on nobody"},
	} {
		if code := run(tc.args, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}
