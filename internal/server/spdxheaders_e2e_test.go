package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// spdxPolicy turns the spdx-headers rule on, with the default paths and
// the default allowed licences (repository.license.allowed's: Apache-2.0
// first), and the CLA and labels off.
const spdxPolicy = `review:
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: off}
  codeowners: {mode: off}
  files: {mode: off}
pull_request:
  protected_paths: {mode: enforce}
  spdx_headers: {mode: enforce}
`

// headReads counts the requests that read files at a pull request's
// head (its tree and its files' contents).
func (s *scenario) headReads(repo string, number, from int) int {
	head := s.head(number)
	n := 0
	for _, r := range s.GitHub.Requests()[from:] {
		switch {
		case r.Route == "/repos/{owner}/{repo}/git/trees/{tree_sha}" && strings.HasSuffix(r.Path, "/"+head):
			n++
		case r.Route == "/repos/{owner}/{repo}/contents/{path}" && r.Query.Get("ref") == head:
			n++
		}
	}
	return n
}

// TestSPDXHeaders: a new Go file without a header fails with an
// annotation on its first line giving the exact line to add; a file
// REUSE.toml covers passes, and so does one with a .license file; a
// Python file whose header names a licence the policy does not allow
// fails naming it. A pull request touching no source file reads nothing
// at its head; one adding N files with headers reads only the tree (the
// patches are the files); one adding N files without headers, with no
// REUSE files in the repository, too.
func TestSPDXHeaders(t *testing.T) {
	s := newScenario(t, spdxPolicy)
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	commit := func(msg string, files map[string]string) githubfake.NewCommit {
		return githubfake.NewCommit{Message: msg, Author: alice, Files: files}
	}

	before := len(s.GitHub.Requests())
	docs := s.openPR("widget", "docs", "alice", nil, commit("Docs", map[string]string{"README.md": "# widget\nMore.\n", "notes.txt": "x\n"}))
	if cr := s.check("widget", docs); cr.Conclusion != "success" {
		t.Fatalf("no source file: %+v", cr)
	}
	if n := s.headReads("widget", docs, before); n != 0 {
		t.Errorf("a pull request touching no matching file read %d files at its head, want 0", n)
	}

	before = len(s.GitHub.Requests())
	bare := s.openPR("widget", "bare", "alice", nil, commit("Add a command", map[string]string{
		"cmd/tool/main.go": "package main\n\nfunc main() {}\n",
		"cmd/tool/flag.go": "package main\n",
		"cmd/tool/run.go":  "package main\n",
	}))
	cr := s.check("widget", bare)
	if cr.Conclusion != "failure" {
		t.Fatalf("Go files without a header: %+v", cr)
	}
	if n := s.headReads("widget", bare, before); n != 1 {
		t.Errorf("3 new files without headers read %d times at the head, want 1 (the tree)", n)
	}
	var found bool
	for _, a := range cr.Output.Annotations {
		if a.Path == "cmd/tool/main.go" {
			found = true
			if a.StartLine != 1 || !strings.Contains(a.Message, "// SPDX-License-Identifier: Apache-2.0") || a.AnnotationLevel != "failure" {
				t.Errorf("annotation %+v", a)
			}
		}
	}
	if !found || len(cr.Output.Annotations) != 3 {
		t.Errorf("annotations %+v, want one on each file", cr.Output.Annotations)
	}
	if !strings.Contains(cr.Output.Summary, "| `cmd/tool/main.go` |") || !strings.Contains(cr.Output.Summary, "`// SPDX-License-Identifier: Apache-2.0`") {
		t.Errorf("summary without the table of failing files:\n%s", cr.Output.Summary)
	}

	before = len(s.GitHub.Requests())
	headed := s.openPR("widget", "headed", "alice", nil, commit("Add a library", map[string]string{
		"lib/a.go": "// SPDX-License-Identifier: Apache-2.0\n\npackage lib\n",
		"lib/b.go": "// SPDX-License-Identifier: Apache-2.0\n\npackage lib\n",
		"lib/c.ts": "// SPDX-License-Identifier: MIT\nexport const c = 1;\n",
	}))
	if cr := s.check("widget", headed); cr.Conclusion != "success" {
		t.Fatalf("files with headers: %+v", cr)
	}
	if n := s.headReads("widget", headed, before); n != 1 {
		t.Errorf("3 new files with headers read %d times at the head, want 1 (the tree)", n)
	}

	gpl := s.openPR("widget", "gpl", "alice", nil, commit("Add a script", map[string]string{
		"tools/gen.py": "#!/usr/bin/env python3\n# SPDX-License-Identifier: GPL-3.0-only\nprint('x')\n",
	}))
	cr = s.check("widget", gpl)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "GPL-3.0-only") {
		t.Fatalf("a denied licence: %+v", cr)
	}
	if len(cr.Output.Annotations) != 1 || !strings.Contains(cr.Output.Annotations[0].Message, "GPL-3.0-only") ||
		!strings.Contains(cr.Output.Annotations[0].Message, "# SPDX-License-Identifier: Apache-2.0") {
		t.Errorf("annotations %+v", cr.Output.Annotations)
	}

	// REUSE.toml on the default branch covers generated code.
	if _, err := s.GitHub.Push("acme", "widget", "main", commit("REUSE", map[string]string{
		"REUSE.toml": "version = 1\n\n[[annotations]]\npath = \"gen/**\"\nSPDX-FileCopyrightText = \"2026 Acme\"\nSPDX-License-Identifier = \"MIT\"\n",
	})); err != nil {
		t.Fatal(err)
	}
	before = len(s.GitHub.Requests())
	gen := s.openPR("widget", "gen", "alice", nil, commit("Regenerate", map[string]string{"gen/api/types.go": "// Code generated. DO NOT EDIT.\npackage api\n"}))
	if cr := s.check("widget", gen); cr.Conclusion != "success" {
		t.Fatalf("a file REUSE.toml covers: %+v", cr)
	}
	if n := s.headReads("widget", gen, before); n != 2 {
		t.Errorf("a file covered by REUSE.toml: %d reads at the head, want 2 (the tree, REUSE.toml)", n)
	}
	outside := s.openPR("widget", "outside", "alice", nil, commit("Add", map[string]string{"pkg/x.go": "package pkg\n"}))
	if cr := s.check("widget", outside); cr.Conclusion != "failure" {
		t.Fatalf("a file REUSE.toml does not cover: %+v", cr)
	}

	sidecar := s.openPR("widget", "sidecar", "alice", nil, commit("Add", map[string]string{
		"assets/embed.go":         "package assets\n",
		"assets/embed.go.license": "SPDX-FileCopyrightText: 2026 Acme\nSPDX-License-Identifier: BSD-3-Clause\n",
	}))
	if cr := s.check("widget", sidecar); cr.Conclusion != "success" {
		t.Fatalf("a .license file: %+v", cr)
	}
}
