package githubfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const pkgBase = `{
  "name": "widgets",
  "dependencies": {
    "left-pad": "1.3.0"
  }
}
`

const pkgHead = `{
  "name": "widgets",
  "dependencies": {
    "left-pad": "1.3.1",
    "gpl-thing": "2.0.0"
  },
  "devDependencies": {
    "jest": "29.0.0"
  }
}
`

// TestDependencyReview: the compare lists what the manifests changed
// between the merge base and head, added and removed (a version change is
// both), with the licences GitHub knows and null otherwise; `name` keeps
// one manifest; a private repository needs GitHub Advanced Security; an
// unknown ref is 404; it takes Contents: read; a repeated GET is a 304.
func TestDependencyReview(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.Push("acme", "widgets", "main", NewCommit{Message: "deps", Files: map[string]string{"package.json": pkgBase}}); err != nil {
		t.Fatal(err)
	}
	head, err := w.f.Push("acme", "widgets", "bump", NewCommit{Message: "bump", Files: map[string]string{
		"package.json": pkgHead, "go.mod": "module x\n\ngo 1.22\n\nrequire golang.org/x/mod v0.42.0\n", "README.md": "changed\n"}})
	if err != nil {
		t.Fatal(err)
	}
	w.f.SetPackageLicense("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")
	type entry struct {
		ChangeType string  `json:"change_type"`
		Manifest   string  `json:"manifest"`
		Ecosystem  string  `json:"ecosystem"`
		Name       string  `json:"name"`
		Version    string  `json:"version"`
		PackageURL *string `json:"package_url"`
		License    *string `json:"license"`
		Scope      string  `json:"scope"`
	}
	get := func(path string, header ...string) (int, []entry, http.Header, string) {
		t.Helper()
		resp, data := w.do(t, "GET", path, "", header...)
		var out []entry
		if resp.StatusCode == http.StatusOK {
			decodeJSON(t, data, &out)
		}
		return resp.StatusCode, out, resp.Header, string(data)
	}
	sha := head[len(head)-1].SHA
	status, got, hdr, _ := get("/repos/acme/widgets/dependency-graph/compare/main..." + sha)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	byKey := map[string]entry{}
	for _, e := range got {
		byKey[e.ChangeType+" "+e.Manifest+" "+e.Name+"@"+e.Version] = e
	}
	if len(got) != 5 {
		t.Errorf("%d entries, want 5: %+v", len(got), got)
	}
	for _, k := range []string{"removed package.json left-pad@1.3.0", "added package.json left-pad@1.3.1",
		"added package.json gpl-thing@2.0.0", "added package.json jest@29.0.0", "added go.mod golang.org/x/mod@v0.42.0"} {
		if _, ok := byKey[k]; !ok {
			t.Errorf("no %q in %+v", k, got)
		}
	}
	if e := byKey["added package.json gpl-thing@2.0.0"]; e.License == nil || *e.License != "GPL-3.0-only" || e.Scope != "runtime" ||
		e.PackageURL == nil || *e.PackageURL != "pkg:npm/gpl-thing@2.0.0" || e.Ecosystem != "npm" {
		t.Errorf("gpl-thing: %+v", e)
	}
	if e := byKey["added package.json jest@29.0.0"]; e.License != nil || e.Scope != "development" {
		t.Errorf("jest: %+v", e)
	}
	if status, _, _, _ := get("/repos/acme/widgets/dependency-graph/compare/main..."+sha, "If-None-Match", hdr.Get("ETag")); status != http.StatusNotModified {
		t.Errorf("with the ETag: %d, want 304", status)
	}
	if _, one, _, _ := get("/repos/acme/widgets/dependency-graph/compare/main..." + sha + "?name=go.mod"); len(one) != 1 || one[0].Manifest != "go.mod" {
		t.Errorf("name=go.mod: %+v", one)
	}
	if status, _, _, _ := get("/repos/acme/widgets/dependency-graph/compare/main...nope"); status != http.StatusNotFound {
		t.Errorf("unknown head: %d", status)
	}
	if status, _, _, _ := get("/repos/acme/nothere/dependency-graph/compare/main..." + sha); status != http.StatusNotFound {
		t.Errorf("unknown repository: %d", status)
	}

	// A private repository: 403 without GitHub Advanced Security.
	if _, err := w.f.AddRepo(Repo{Owner: "acme", Name: "secret", Private: true, Files: map[string]string{"package.json": pkgBase}}); err != nil {
		t.Fatal(err)
	}
	status, _, _, body := get("/repos/acme/secret/dependency-graph/compare/main...main")
	var msg struct{ Message string }
	_ = json.Unmarshal([]byte(body), &msg)
	if status != http.StatusForbidden || !strings.HasPrefix(msg.Message, "Dependency review is not supported on this repository.") ||
		!strings.HasSuffix(msg.Message, "/acme/secret/settings/security_analysis") {
		t.Errorf("private without GHAS: %d %s", status, body)
	}
	if err := w.f.SetAdvancedSecurity("acme", "secret", true); err != nil {
		t.Fatal(err)
	}
	if status, got, _, _ := get("/repos/acme/secret/dependency-graph/compare/main...main"); status != http.StatusOK || len(got) != 0 {
		t.Errorf("private with GHAS: %d %+v", status, got)
	}

	// Contents: read is needed.
	perms := map[string]string{}
	for k, v := range w.inst.Permissions {
		if k != "contents" {
			perms[k] = v
		}
	}
	if err := w.f.SetInstallationPermissions(w.inst.ID, perms); err != nil {
		t.Fatal(err)
	}
	w.token, _ = w.f.InstallationToken(w.inst.ID)
	if status, _, hdr, _ := get("/repos/acme/widgets/dependency-graph/compare/main..." + sha); status != http.StatusForbidden ||
		hdr.Get("X-Accepted-GitHub-Permissions") != "contents=read" {
		t.Errorf("without contents: %d %q", status, hdr.Get("X-Accepted-GitHub-Permissions"))
	}
	w.f.CheckNoViolations(t)
}
