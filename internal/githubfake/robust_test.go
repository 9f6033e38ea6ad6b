package githubfake

import (
	"fmt"
	"strings"
	"testing"
)

// TestBadInputNeverCrashes sends malformed requests with validation off, so
// that they reach the handlers: each gets a 4xx, never a 500 (odd paging
// parameters fall back to defaults, as on GitHub).
func TestBadInputNeverCrashes(t *testing.T) {
	w := newWorld(t, Options{DisableValidation: true})
	n := w.issue.Number
	requests := []struct{ method, path, body string }{
		{"GET", "/repos/acme/widgets/labels?page=9223372036854775807&per_page=100", ""},
		{"GET", "/repos/acme/widgets/issues?page=-1&per_page=abc", ""},
		{"POST", "/repos/acme/widgets/labels", `["not", "an", "object"]`},
		{"POST", "/repos/acme/widgets/labels", `{"name": 42}`},
		{"POST", "/repos/acme/widgets/labels", `{"name": "x", "color": "red"}`},
		{"POST", "/repos/acme/widgets/labels", `{`},
		{"POST", "/repos/acme/widgets/issues", `{"title": null}`},
		{"POST", "/repos/acme/widgets/issues", `{"title": "x", "labels": [1, 2]}`},
		{"PATCH", fmt.Sprintf("/repos/acme/widgets/issues/%d", n), `{"state": "merged"}`},
		{"POST", fmt.Sprintf("/repos/acme/widgets/issues/%d/labels", n), `{"labels": [{"nom": "x"}]}`},
		{"PUT", fmt.Sprintf("/repos/acme/widgets/issues/%d/labels", n), `true`},
		{"POST", fmt.Sprintf("/repos/acme/widgets/issues/%d/comments", n), `{"body": ""}`},
		{"POST", "/repos/acme/widgets/issues/99999999999999999999/comments", `{"body": "x"}`},
		{"POST", "/repos/acme/widgets/check-runs", `{"name": "x", "head_sha": "nope"}`},
		{"POST", "/repos/acme/widgets/check-runs", `{"name": "x", "head_sha": "` + strings.Repeat("a", 40) + `", "started_at": "yesterday"}`},
		{"PATCH", "/repos/acme/widgets/check-runs/abc", `{}`},
		{"POST", "/repos/acme/widgets/issues/comments/1/reactions", `{"content": "party"}`},
		{"GET", "/repos/acme/widgets/compare/main", ""},
		{"GET", "/repos/acme/widgets/compare/main...nope", ""},
		{"GET", "/repos/acme/widgets/contents/../../etc/passwd", ""},
		{"GET", "/repos/acme/widgets/git/trees/nope?recursive=1", ""},
		{"GET", "/repos/acme/widgets/commits/nope/check-runs", ""},
		{"PATCH", "/repos/acme/widgets", `{"default_branch": "nope"}`},
		{"PATCH", "/repos/acme/widgets", `{"visibility": "secret"}`},
		{"PUT", "/repos/acme/widgets/topics", `{"names": "go"}`},
		{"GET", "/orgs/nope/teams/x/memberships/y", ""},
		{"GET", "/repos/acme/widgets/collaborators/nobody/permission", ""},
	}
	for i, rq := range requests {
		resp, data := w.do(t, rq.method, rq.path, rq.body)
		if resp.StatusCode >= 500 || (i >= 2 && resp.StatusCode < 400) {
			t.Errorf("%s %s %s: %d %s", rq.method, rq.path, rq.body, resp.StatusCode, data)
		}
	}
	if v := w.f.Violations(); len(v) > 0 {
		t.Errorf("violations %q", v)
	}
}
