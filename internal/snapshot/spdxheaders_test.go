package snapshot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestSPDXHeadsRequests: what gathering the SPDX headers costs. A pull
// request touching no matching file: no request. N added files: the tree
// only (their patches are the files). N modified files whose diff does
// not show their first lines: the tree and one read each. REUSE files
// are read only when they exist.
func TestSPDXHeadsRequests(t *testing.T) {
	app := fakeapp.New(t)
	gh := app.GitHub
	base := map[string]string{"LICENSE": "MIT License\n", "README.md": "# widget\n"}
	long := func(header string) string {
		var b strings.Builder
		b.WriteString(header)
		for i := range 40 {
			fmt.Fprintf(&b, "line %d\n", i)
		}
		return b.String()
	}
	for i := range 3 {
		base[fmt.Sprintf("pkg/m%d.go", i)] = long("// SPDX-License-Identifier: MIT\n")
	}
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: base}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	ctx := context.Background()
	on := policy.Defaults().PullRequest
	on.SPDXHeaders.Mode = policy.Enforce
	gather := func(branch string, files map[string]string) (*rules.PullRequest, int) {
		t.Helper()
		if _, err := gh.Push("acme", "widget", branch, githubfake.NewCommit{Message: branch, Files: files}); err != nil {
			t.Fatal(err)
		}
		pr, err := gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: branch, User: "alice", Head: branch})
		if err != nil {
			t.Fatal(err)
		}
		gpr, _, err := client.PullRequests.Get(ctx, "acme", "widget", pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := PullRequest(ctx, client, gpr, on)
		if err != nil {
			t.Fatal(err)
		}
		before := len(gh.Requests())
		if err := SPDXHeads(ctx, client, snap, on.SPDXHeaders); err != nil {
			t.Fatal(err)
		}
		return snap, len(gh.Requests()) - before
	}

	if _, n := gather("docs", map[string]string{"README.md": "# widget\nmore\n", "notes.txt": "x\n"}); n != 0 {
		t.Errorf("no matching file: %d requests, want 0", n)
	}

	const N = 5
	added := map[string]string{}
	for i := range N {
		added[fmt.Sprintf("cmd/f%d.go", i)] = "// SPDX-License-Identifier: Apache-2.0\n\npackage cmd\n"
	}
	snap, n := gather("added", added)
	if n != 1 {
		t.Errorf("%d added files with headers: %d requests, want 1 (the tree)", N, n)
	}
	if f := rules.SPDXHeaders(snap, on.SPDXHeaders); f.Result != rules.Pass {
		t.Errorf("added with headers: %s %s", f.Result, f.Message)
	}

	bare := map[string]string{}
	for i := range N {
		bare[fmt.Sprintf("cmd/g%d.go", i)] = "package cmd\n"
	}
	snap, n = gather("bare", bare)
	if n != 1 {
		t.Errorf("%d added files without headers, no REUSE files: %d requests, want 1", N, n)
	}
	if f := rules.SPDXHeaders(snap, on.SPDXHeaders); f.Result != rules.Fail || len(f.Annotations) != N {
		t.Errorf("added without headers: %s %s", f.Result, f.Message)
	}

	// Modified deep down: the fake's single hunk shows the whole file, so
	// the patch serves here too; a real diff starting below line 20 does
	// not (HeadFromPatch is tested on its own).
	mod := map[string]string{}
	for i := range 3 {
		mod[fmt.Sprintf("pkg/m%d.go", i)] = long("// SPDX-License-Identifier: MIT\n") + "tail\n"
	}
	snap, n = gather("modified", mod)
	if n != 1 {
		t.Errorf("3 modified files: %d requests, want 1", n)
	}
	// As GitHub lists them, with a hunk far from the top: each is read.
	for f := range mod {
		snap.Patches[f] = "@@ -41,2 +41,3 @@\n line 38\n line 39\n+tail"
	}
	before := len(gh.Requests())
	if err := SPDXHeads(ctx, client, snap, on.SPDXHeaders); err != nil {
		t.Fatal(err)
	}
	if n := len(gh.Requests()) - before; n != 1+len(mod) {
		t.Errorf("3 modified files whose diff does not show their first lines: %d requests, want 4", n)
	}
	if f := rules.SPDXHeaders(snap, on.SPDXHeaders); f.Result != rules.Pass || len(snap.Heads) != len(mod) ||
		strings.Count(snap.Heads["pkg/m0.go"], "\n") != rules.HeadLines {
		t.Errorf("read heads: %s %s %q", f.Result, f.Message, snap.Heads["pkg/m0.go"])
	}

	// REUSE files that exist are read: a REUSE.toml and a .license file.
	snap, n = gather("reuse", map[string]string{
		"REUSE.toml":          "version = 1\n[[annotations]]\npath = \"gen/**\"\nSPDX-License-Identifier = \"MIT\"\n",
		"gen/a.go":            "package gen\n",
		"img/logo.go":         "package img\n",
		"img/logo.go.license": "SPDX-License-Identifier: MIT\n",
	})
	if n != 3 {
		t.Errorf("REUSE.toml and a .license file: %d requests, want 3 (tree, REUSE.toml, logo.go.license)", n)
	}
	if f := rules.SPDXHeaders(snap, on.SPDXHeaders); f.Result != rules.Pass {
		t.Errorf("REUSE coverage: %s %s", f.Result, f.Message)
	}

	// A binary file: no patch, so its head is read, and found binary.
	snap, n = gather("binary", map[string]string{"data/blob.go": "\x00\x01\x02"})
	if n != 2 || snap.NoHead["data/blob.go"].Kind != rules.HeadBinary {
		t.Errorf("binary: %d requests, %+v", n, snap.NoHead)
	}
}

func TestHeadFromPatch(t *testing.T) {
	var full strings.Builder
	full.WriteString("@@ -1,3 +1,25 @@\n")
	for i := range 25 {
		fmt.Fprintf(&full, "+l%d\n", i)
	}
	for _, tt := range []struct {
		name, status, patch string
		want                string
		ok                  bool
	}{
		{"added", "added", "@@ -0,0 +1,2 @@\n+// SPDX-License-Identifier: MIT\n+package a\n\\ No newline at end of file", "// SPDX-License-Identifier: MIT\npackage a\n", true},
		{"added one line", "added", "@@ -0,0 +1 @@\n+x", "x\n", true},
		{"modified far down", "modified", "@@ -40,3 +40,4 @@ func x() {\n a\n+b\n c", "", false},
		{"modified at the top, short", "modified", "@@ -1,3 +1,4 @@\n a\n+b\n c\n-d", "", false},
		{"modified at the top, long", "modified", full.String(), "", true},
		{"no patch", "added", "", "", false},
	} {
		got, ok := HeadFromPatch(tt.status, tt.patch)
		if ok != tt.ok || (tt.want != "" && got != tt.want) {
			t.Errorf("%s: %q %v, want %q %v", tt.name, got, ok, tt.want, tt.ok)
		}
		if ok && strings.Count(got, "\n") > rules.HeadLines {
			t.Errorf("%s: more than %d lines", tt.name, rules.HeadLines)
		}
	}
}
