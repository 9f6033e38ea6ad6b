package check

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// The invalid-policy issue and its "valid now" comment are made once,
// also when the request that made them lost its response, or the close
// after the comment failed, and the job is retried.
func TestPolicyIssueAndValidNoteOnceAfterFaults(t *testing.T) {
	faults := map[string]githubfake.Fault{
		"issue's response lost":   {Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues", Kind: githubfake.LostResponse()},
		"comment's response lost": {Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Kind: githubfake.LostResponse()},
		"close failed":            {Method: http.MethodPatch, Route: "/repos/{owner}/{repo}/issues/{issue_number}", Kind: githubfake.Status(http.StatusInternalServerError)},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			app := fakeapp.New(t)
			f := app.GitHub
			if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": "x"}}); err != nil {
				t.Fatal(err)
			}
			inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			client := app.Installation(t, inst.ID)
			c := &Checker{Review: &review.Manager{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)}}
			inv := &policy.InvalidError{Org: true, Source: policy.Source{Repo: "acme/.github", Path: "ospo.yml"},
				Errors: policy.Errors{{File: "ospo.yml", Line: 1, Column: 1, Message: "not a mapping"}}}
			retry := func(what string, do func() error) {
				t.Helper()
				f.InjectFault(fault)
				if err := do(); err == nil {
					f.ClearFaults()
					return // the fault is not on this step's way
				}
				if err := do(); err != nil {
					t.Fatalf("%s, the retry: %v", what, err)
				}
			}
			retry("report", func() error { return c.reportPolicy(ctx, client, "acme", inv) })
			is := f.Issues("acme", ".github")
			if len(is) != 1 || is[0].State != "open" {
				t.Fatalf("after the report: %+v", is)
			}
			retry("valid", func() error { return c.policyValid(ctx, client, "acme", "abc123") })
			is = f.Issues("acme", ".github")
			if len(is) != 1 || is[0].State != "closed" {
				t.Fatalf("after the fix: %+v", is)
			}
			n := 0
			for _, cm := range f.Comments("acme", ".github", is[0].Number) {
				if strings.Contains(cm.Body, "The policy is valid now") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d comments that the policy is valid, want 1", n)
			}
		})
	}
}
