package githubfake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// replaceHandler makes the fake's handler of a route answer rep instead, as
// a fake with a defect would.
func replaceHandler(t *testing.T, f *Fake, method, template string, rep reply) {
	t.Helper()
	for _, rt := range f.routes.routes {
		if rt.method == method && rt.template == template {
			rt.handle = func(*Fake, *call) reply { return rep }
			return
		}
	}
	t.Fatalf("no route %s %s", method, template)
}

// A fake that answers in a shape GitHub never would fails its own test: the
// response is checked against the API description like the request.
func TestResponsesAreValidated(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		template  string
		path      string
		rep       reply
		violation string // "" expects none
	}{
		{"body of the wrong type", "GET", "/repos/{owner}/{repo}", "/repos/acme/widgets",
			ok(map[string]any{"id": "one"}), `id: value must be an integer`},
		{"required property missing", "GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}", "/orgs/acme/teams/leads/memberships/lead",
			ok(map[string]any{"url": "u", "role": "member"}), `property "state" is missing`},
		{"null where GitHub never sends one", "GET", "/repos/{owner}/{repo}/topics", "/repos/acme/widgets/topics",
			ok(map[string]any{"names": nil}), `names: Value is not nullable`},
		{"status the operation does not document", "GET", "/orgs/{org}/members/{username}", "/orgs/acme/members/lead",
			ok(map[string]any{}), "status is not supported"},
		{"documented 404", "GET", "/repos/{owner}/{repo}/codeowners/errors", "/repos/acme/widgets/codeowners/errors",
			notFound(), ""},
		{"errors any operation may answer", "GET", "/repos/{owner}/{repo}/topics", "/repos/acme/widgets/topics",
			errReply(http.StatusBadGateway, "Server Error"), ""},
		{"absent property GitHub sends as null", "GET", "/repos/{owner}/{repo}/codeowners/errors", "/repos/acme/widgets/codeowners/errors",
			ok(map[string]any{"errors": []any{map[string]any{"line": 1, "column": 1, "kind": "Unknown owner", "source": "* @nobody", "message": "m", "path": "CODEOWNERS"}}}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, Options{})
			replaceHandler(t, w.f, tt.method, tt.template, tt.rep)
			w.do(t, tt.method, tt.path, "")
			v := w.f.Violations()
			switch {
			case tt.violation == "" && len(v) > 0:
				t.Errorf("violations %q, want none", v)
			case tt.violation != "" && (len(v) != 1 || !strings.Contains(v[0], tt.violation)):
				t.Errorf("violations %q, want one with %q", v, tt.violation)
			}
		})
	}
}

// Injected faults are GitHub's failures, not the fake's answers: they are
// not checked against the operation's responses.
func TestFaultResponsesAreNotViolations(t *testing.T) {
	w := newWorld(t, Options{})
	w.f.InjectFault(Fault{Method: "GET", Route: "/repos/{owner}/{repo}/topics", Kind: PrimaryRateLimit(time.Now().Add(time.Minute))})
	if resp, _ := w.do(t, "GET", "/repos/acme/widgets/topics", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
	w.f.CheckNoViolations(t)
}

// The routes the rest of the suite does not reach answer in GitHub's
// shapes too.
func TestLessUsedRoutesAnswerAsGitHubDoes(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddTeam(Team{Org: "acme", Slug: "ospo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddLabel("acme", "widgets", Label{Name: "kind/bug"}); err != nil {
		t.Fatal(err)
	}
	head, _ := w.f.Branch("acme", "widgets", "main")
	issue := fmt.Sprintf("/repos/acme/widgets/issues/%d", w.issue.Number)
	var run, comment struct{ ID int64 }
	_, data := w.do(t, "POST", "/repos/acme/widgets/check-runs", `{"name":"x","head_sha":"`+head.SHA+`","status":"in_progress"}`)
	decodeJSON(t, data, &run)
	_, data = w.do(t, "POST", issue+"/comments", `{"body":"hello"}`)
	decodeJSON(t, data, &comment)
	for _, rq := range []struct{ method, path, body string }{
		{"GET", "/orgs/acme/teams", ""},
		{"GET", fmt.Sprintf("/repos/acme/widgets/check-runs/%d", run.ID), ""},
		{"GET", fmt.Sprintf("/repos/acme/widgets/issues/comments/%d", comment.ID), ""},
		{"GET", fmt.Sprintf("/repos/acme/widgets/issues/comments/%d/reactions", comment.ID), ""},
		{"PATCH", "/repos/acme/widgets/labels/kind%2Fbug", `{"color":"d73a4a"}`},
		{"POST", issue + "/labels", `{"labels":["kind/bug"]}`},
		{"GET", issue + "/labels", ""},
		{"DELETE", issue + "/labels", ""},
		{"DELETE", fmt.Sprintf("/repos/acme/widgets/issues/comments/%d", comment.ID), ""},
	} {
		if resp, data := w.do(t, rq.method, rq.path, rq.body); resp.StatusCode >= 300 {
			t.Errorf("%s %s: %d %s", rq.method, rq.path, resp.StatusCode, data)
		}
	}
	w.f.CheckNoViolations(t)
}
