package snapshot

import (
	"context"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestRepositoryReadsEveryLicenseFile: a dual-licensed repository keeps one
// file per license (LICENSE-MIT, LICENSE-APACHE); the British LICENCE and
// COPYING.md are license files too. Each is read, nothing else.
func TestRepositoryReadsEveryLicenseFile(t *testing.T) {
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "crate", Files: map[string]string{
		"LICENSE-MIT": "mit", "LICENSE-APACHE": "apache", "LICENCE.rst": "rst", "COPYING.md": "copying",
		"license-checker.js": "code", "Cargo.toml": "[package]",
	}}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Repository(context.Background(), app.Installation(t, in.ID), "acme", "crate",
		policy.RepositoryRules{License: policy.LicenseRule{Mode: policy.Enforce}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"LICENSE-MIT": "mit", "LICENSE-APACHE": "apache", "LICENCE.rst": "rst", "COPYING.md": "copying"}
	if len(s.Contents) != len(want) {
		t.Errorf("read %v, want %v", s.Contents, want)
	}
	for p, text := range want {
		if s.Contents[p] != text {
			t.Errorf("%s: read %q, want %q", p, s.Contents[p], text)
		}
	}
}

// licenseOnly is a policy with only the license rule on.
func licenseOnly() policy.RepositoryRules {
	return policy.RepositoryRules{License: policy.LicenseRule{Mode: policy.Enforce}}
}

func licenseRequests(t *testing.T, files map[string]string) (*rules.Snapshot, int) {
	t.Helper()
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "lib", Files: files}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Repository(context.Background(), app.Installation(t, in.ID), "acme", "lib", licenseOnly())
	if err != nil {
		t.Fatal(err)
	}
	n := app.GitHub.CountRequests(func(r githubfake.Request) bool { return r.InstallationID == in.ID })
	if most := MaxCalls(rules.NeedsOf(rules.Enabled(&policy.Policy{Repository: licenseOnly()}, rules.RepositoryScope))); len(files) < 6 && n > most {
		t.Errorf("%d requests; MaxCalls says at most %d", n, most)
	}
	return s, n
}

// TestLicenseSourcesCostNothingWhenAbsent: a repository with neither
// LICENSES/ nor a root manifest costs what it did before: the repository,
// the root tree and the LICENSE.
func TestLicenseSourcesCostNothingWhenAbsent(t *testing.T) {
	s, n := licenseRequests(t, map[string]string{"LICENSE": "MIT License", "README.md": "# lib", "src/package.json": `{"license": "GPL-3.0"}`, "docs/LICENSES/MIT.txt": "x"})
	if n != 3 {
		t.Errorf("%d requests, want 3: the repository, the root tree, LICENSE", n)
	}
	if s.Declared == nil || len(s.Declared) != 0 {
		t.Errorf("Declared = %#v, want read and empty", s.Declared)
	}
}

// TestLicenseSourcesRead: LICENSES/ is listed and each of its files read;
// each root manifest is read once and its declared licence kept (not its
// text); a manifest that does not parse is kept with its problem.
func TestLicenseSourcesRead(t *testing.T) {
	s, n := licenseRequests(t, map[string]string{
		"LICENSES/MIT.txt":        "MIT License",
		"LICENSES/Apache-2.0.txt": "Apache License",
		"package.json":            "{\n  \"name\": \"lib\",\n  \"license\": \"MIT OR Apache-2.0\"\n}\n",
		"Cargo.toml":              "[package]\nname = \"lib\"\nlicense = \"MIT\"\n",
		"pyproject.toml":          "[project\n",
		"src/pom.xml":             "<project/>",
	})
	if want := 3 + 2 + 3; n != want { // repository, root and LICENSES/ trees; 2 licence texts; 3 manifests
		t.Errorf("%d requests, want %d", n, want)
	}
	if s.Contents["LICENSES/MIT.txt"] != "MIT License" || s.Contents["LICENSES/Apache-2.0.txt"] != "Apache License" {
		t.Errorf("contents %v", s.Contents)
	}
	for _, p := range []string{"package.json", "Cargo.toml", "pyproject.toml"} {
		if _, kept := s.Contents[p]; kept {
			t.Errorf("the text of %s is kept; only its declaration should be", p)
		}
	}
	got := map[string]rules.Declared{}
	for _, d := range s.Declared {
		got[d.File] = d
	}
	if d := got["package.json"]; d.Expr != "MIT OR Apache-2.0" || d.Line != 3 || d.Problem != "" {
		t.Errorf("package.json: %+v", d)
	}
	if d := got["Cargo.toml"]; d.Expr != "MIT" || d.Line != 3 {
		t.Errorf("Cargo.toml: %+v", d)
	}
	if d := got["pyproject.toml"]; d.Problem == "" || d.Expr != "" {
		t.Errorf("pyproject.toml: %+v, want its parse error", d)
	}
	if len(s.Declared) != 3 {
		t.Errorf("Declared = %+v, want the 3 root manifests", s.Declared)
	}
	f := rules.License(s, policy.LicenseRule{Mode: policy.Enforce, Allowed: []string{"MIT OR Apache-2.0"}})
	if f.Result != rules.Fail || !strings.Contains(f.Message, "pyproject.toml") {
		t.Errorf("finding %+v, want the unreadable pyproject.toml reported", f)
	}
}
