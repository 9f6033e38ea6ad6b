package snapshot

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
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
