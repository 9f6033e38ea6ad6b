package githubfake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestValidation(t *testing.T) {
	w := newWorld(t, Options{})
	head, _ := w.f.Branch("acme", "widgets", "main")
	if _, err := w.f.AddLabel("acme", "widgets", Label{Name: "kind/bug"}); err != nil {
		t.Fatal(err)
	}
	issueLabels := fmt.Sprintf("/repos/acme/widgets/issues/%d/labels", w.issue.Number)
	tests := []struct {
		name      string
		method    string
		path      string
		body      string
		want      int
		violation string // "" expects none
	}{
		{"escaped slash in a label name", "GET", "/repos/acme/widgets/labels/kind%2Fbug", "", 200, ""},
		{"unescaped slash in a label name", "GET", "/repos/acme/widgets/labels/kind/bug", "", 404, "no such route"},
		{"unknown route", "GET", "/repos/acme/widgets/frobnicate", "", 404, "no such route"},
		{"unknown method", "DELETE", "/rate_limit", "", 404, "no DELETE on this route"},
		{"route GitHub has and the fake lacks", "GET", "/repos/acme/widgets/stargazers", "", 404, "GitHub serves GET /repos/{owner}/{repo}/stargazers, but githubfake does not"},
		{"literal segment GitHub routes elsewhere", "GET", "/repos/acme/widgets/issues/comments", "", 404, "GitHub serves GET /repos/{owner}/{repo}/issues/comments"},
		{"check run without name", "POST", "/repos/acme/widgets/check-runs", `{"head_sha":"` + head.SHA + `"}`, 422, `property "name" is missing`},
		{"check run completed without conclusion", "POST", "/repos/acme/widgets/check-runs", `{"name":"x","head_sha":"` + head.SHA + `","status":"completed"}`, 422, "rejects it"},
		{"check run with a bad status", "POST", "/repos/acme/widgets/check-runs", `{"name":"x","head_sha":"` + head.SHA + `","status":"done"}`, 422, "anyOf"},
		{"check run, valid", "POST", "/repos/acme/widgets/check-runs", `{"name":"x","head_sha":"` + head.SHA + `","conclusion":"success"}`, 201, ""},
		{"reaction not in the enum", "POST", "/repos/acme/widgets/issues/comments/1/reactions", `{"content":"party"}`, 422, "content"},
		{"integer path parameter", "GET", "/repos/acme/widgets/issues/abc", "", 422, "issue_number"},
		{"malformed JSON", "POST", "/repos/acme/widgets/labels", `{"name": "x"`, 400, "not JSON"},
		{"label without name", "POST", "/repos/acme/widgets/labels", `{"color":"ffffff"}`, 422, `"name" is missing`},
		{"issue labels: object of names", "POST", issueLabels, `{"labels":["a","b"]}`, 200, ""},
		{"issue labels: bare array of names (patched in)", "POST", issueLabels, `["c"]`, 200, ""},
		{"issue labels: bare array of objects (patched in)", "PUT", issueLabels, `[{"name":"d"}]`, 200, ""},
		{"issue labels: single name (patched in)", "POST", issueLabels, `"e"`, 200, ""},
		{"issue labels: empty bare array clears (patched in)", "PUT", issueLabels, `[]`, 200, ""},
		{"issue labels: number", "POST", issueLabels, `42`, 422, "rejects it"},
		{"topics without names", "PUT", "/repos/acme/widgets/topics", `{}`, 422, `"names" is missing`},
		{"check-run filter enum", "GET", "/repos/acme/widgets/commits/main/check-runs?filter=newest", "", 422, "filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.f.ClearViolations()
			resp, data := w.do(t, tt.method, tt.path, tt.body)
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.want, data)
			}
			v := w.f.Violations()
			switch {
			case tt.violation == "" && len(v) > 0:
				t.Errorf("unexpected violations %q", v)
			case tt.violation != "" && (len(v) != 1 || !strings.Contains(v[0], tt.violation)):
				t.Errorf("violations %q, want one containing %q", v, tt.violation)
			}
			if tt.violation != "" {
				var body map[string]any
				decodeJSON(t, data, &body)
				if body["message"] == nil || body["documentation_url"] == nil {
					t.Errorf("error body %s lacks GitHub's shape", data)
				}
			}
		})
	}
}

func TestCheckNoViolationsReports(t *testing.T) {
	w := newWorld(t, Options{})
	w.do(t, "GET", "/repos/acme/widgets/labels/kind/bug", "")
	var rec recordingTB
	w.f.CheckNoViolations(&rec)
	if len(rec.errors) != 1 {
		t.Errorf("reported %d errors, want 1", len(rec.errors))
	}
	if r := lastRequest(w.f); r.Route != "" || r.Status != 404 {
		t.Errorf("recorded %+v", r)
	}
}

func TestNewServerReportsViolationsOnCleanup(t *testing.T) {
	rec := &cleanupTB{}
	f := NewServer(rec, Options{AppID: testAppID, PublicKey: &appKey(t).PublicKey})
	resp, err := http.Get(f.URL() + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec.runCleanups()
	if len(rec.errors) != 1 {
		t.Errorf("cleanup reported %d errors, want 1", len(rec.errors))
	}
	if _, err := http.Get(f.URL() + "/app"); err == nil {
		t.Error("server still running after cleanup")
	}
}

type cleanupTB struct {
	recordingTB
	cleanups []func()
}

func (c *cleanupTB) Fatalf(format string, args ...any) { c.Errorf(format, args...) }
func (c *cleanupTB) Cleanup(fn func())                 { c.cleanups = append(c.cleanups, fn) }
func (c *cleanupTB) runCleanups() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}

// TestServedRoutesAreInTheDescription checks every route the fake serves
// against the description it loads: the operation is there whole (not a
// specgen stub), and multi-segment parameters agree.
func TestServedRoutesAreInTheDescription(t *testing.T) {
	path, err := FindTestdata(DefaultSpec)
	if err != nil {
		t.Fatal(err)
	}
	s, err := loadSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	routes := Routes()
	if len(routes) < 50 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, r := range routes {
		item := s.doc.Paths.Value(r.Template)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s %s is not in %s", r.Method, r.Template, DefaultSpec)
			continue
		}
		op := item.GetOperation(r.Method)
		if op.Extensions["x-githubfake-stub"] != nil {
			t.Errorf("%s %s is only a stub in %s: run go run ./internal/githubfake/specgen", r.Method, r.Template, DefaultSpec)
		}
		multi := ""
		for _, p := range op.Parameters {
			if p.Value.In == openapi3.ParameterInPath && p.Value.Extensions["x-multi-segment"] == true {
				multi = p.Value.Name
			}
		}
		if multi != r.MultiSegment {
			t.Errorf("%s %s: multi-segment parameter %q, GitHub's is %q", r.Method, r.Template, r.MultiSegment, multi)
		}
	}
	for _, r := range OctokitOnlyRoutes() {
		if item := s.doc.Paths.Value(r.Template); item != nil && item.GetOperation(r.Method) != nil {
			t.Errorf("octokit-only %s %s is loaded", r.Method, r.Template)
		}
	}
}

// TestSpecLoadTime keeps the subset small enough to load quickly.
func TestSpecLoadTime(t *testing.T) {
	path, err := FindTestdata(DefaultSpec)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := readSpec(path); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("loading, patching, validating and routing %s took %v", DefaultSpec, elapsed)
	if elapsed > 10*time.Second {
		t.Errorf("loading the description took %v", elapsed)
	}
}

func TestFindTestdata(t *testing.T) {
	for _, rel := range []string{DefaultSpec, "testdata/" + DefaultSpec} {
		p, err := FindTestdata(rel)
		if err != nil || !strings.HasSuffix(p, "/testdata/github/openapi/githubfake.json.gz") {
			t.Errorf("FindTestdata(%q) = %q, %v", rel, p, err)
		}
	}
	if _, err := FindTestdata("no/such/file"); err == nil {
		t.Error("a missing file was found")
	}
}

func TestValidationCanBeDisabled(t *testing.T) {
	w := newWorld(t, Options{DisableValidation: true, SpecPath: "/does/not/exist"})
	resp, _ := w.do(t, "GET", "/repos/acme/widgets/labels/kind/bug", "")
	if resp.StatusCode != 404 || len(w.f.Violations()) != 0 {
		t.Errorf("status %d, violations %v", resp.StatusCode, w.f.Violations())
	}
	head, _ := w.f.Branch("acme", "widgets", "main")
	// The handlers still reject what GitHub rejects.
	resp, _ = w.do(t, "POST", "/repos/acme/widgets/check-runs", `{"head_sha":"`+head.SHA+`"}`)
	if resp.StatusCode != 422 {
		t.Errorf("check run without a name: %d", resp.StatusCode)
	}
	if _, err := New(Options{AppID: 1, PublicKey: &appKey(t).PublicKey, SpecPath: "/does/not/exist"}); err == nil {
		t.Error("a missing description was accepted")
	}
}
