package rules

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// headerPR is a pull request adding files with the given first lines
// (a path with text "<binary>" is a binary file).
func headerPR(heads map[string]string, reuse map[string]string) *PullRequest {
	pr := &PullRequest{Status: map[string]string{}, Patches: map[string]string{}, Heads: map[string]string{},
		NoHead: map[string]NoHead{}, FilesComplete: true, REUSE: &REUSE{Files: reuse}}
	for p, text := range heads {
		pr.Files = append(pr.Files, p)
		pr.Status[p] = "added"
		pr.Patches[p] = "@@ -0,0 +1 @@"
		switch text {
		case "<binary>":
			pr.NoHead[p] = NoHead{Kind: HeadBinary}
		case "<symlink>":
			pr.NoHead[p] = NoHead{Kind: HeadSymlink}
		case "<unread>":
			pr.NoHead[p] = NoHead{Kind: HeadUnread, Why: "GitHub answered 502"}
		default:
			pr.Heads[p] = text
		}
	}
	pr.FilesRead, pr.FileCount = len(pr.Files), len(pr.Files)
	return pr
}

func enforceHeaders() policy.SPDXHeadersRule {
	r := policy.Defaults().PullRequest.SPDXHeaders
	r.Mode = policy.Enforce
	return r
}

func TestSPDXHeaders(t *testing.T) {
	const goHead = "// SPDX-License-Identifier: Apache-2.0\n\npackage x\n"
	tests := []struct {
		name   string
		heads  map[string]string
		reuse  map[string]string
		result Result
		want   []string // in the message, annotations and details
	}{
		{"go header", map[string]string{"a.go": goHead}, nil, Pass, []string{"1 new or changed file with an allowed SPDX licence"}},
		{"no header", map[string]string{"cmd/main.go": "package main\n"}, nil, Fail,
			[]string{"`cmd/main.go`", "// SPDX-License-Identifier: Apache-2.0", "before the package clause"}},
		{"c block closer", map[string]string{"a.c": "/* SPDX-License-Identifier: MIT */\nint x;\n"}, nil, Pass, nil},
		{"html closer", map[string]string{"a.html": "<!-- SPDX-License-Identifier: MIT -->\n<p>\n"}, nil, Pass, nil},
		{"denied python", map[string]string{"tool.py": "#!/usr/bin/env python3\n# SPDX-License-Identifier: GPL-3.0-only\n"}, nil, Fail,
			[]string{"GPL-3.0-only", "not allow", "# SPDX-License-Identifier: Apache-2.0", "after the shebang"}},
		{"invalid expression", map[string]string{"a.js": "// SPDX-License-Identifier: MIT/Apache-2.0\n"}, nil, Fail,
			[]string{"not a valid SPDX licence expression", "MIT/Apache-2.0"}},
		{"unknown id", map[string]string{"a.js": "// SPDX-License-Identifier: Frobnicate-1.0\n"}, nil, Fail,
			[]string{"not on the SPDX licence list"}},
		{"a choice allowed", map[string]string{"a.rs": "// SPDX-License-Identifier: MIT OR GPL-3.0-only\n"}, nil, Pass, nil},
		{"all of AND needed", map[string]string{"a.rs": "// SPDX-License-Identifier: MIT AND GPL-3.0-only\n"}, nil, Fail, []string{"not allow"}},
		{"ignore block", map[string]string{"a.sh": "# REUSE-IgnoreStart\n# SPDX-License-Identifier: MIT\n# REUSE-IgnoreEnd\necho\n"}, nil, Fail, []string{"no SPDX-License-Identifier"}},
		{"suggests the others' licence", map[string]string{"a.go": "// SPDX-License-Identifier: MIT\npackage a\n", "b.go": "package a\n"}, nil, Fail,
			[]string{"// SPDX-License-Identifier: MIT"}},
		{"symlink not covered", map[string]string{"a.go": "<symlink>"}, nil, Pass, []string{"REUSE does not cover"}},
		{"binary needs a .license", map[string]string{"a.go": "<binary>"}, nil, Fail, []string{"a.go.license", "binary"}},
		{"unread fails closed", map[string]string{"a.go": "<unread>"}, nil, Fail, []string{"GitHub answered 502"}},

		// REUSE.toml.
		{"toml covers", map[string]string{"gen/a.go": "package gen\n"},
			map[string]string{"REUSE.toml": "version = 1\n[[annotations]]\npath = \"gen/**\"\nSPDX-License-Identifier = \"MIT\"\n"}, Pass, nil},
		{"toml * stays in its directory", map[string]string{"gen/sub/a.go": "package gen\n"},
			map[string]string{"REUSE.toml": "version = 1\n[[annotations]]\npath = \"gen/*.go\"\nSPDX-License-Identifier = \"MIT\"\n"}, Fail, []string{"no SPDX-License-Identifier"}},
		{"toml closest: the header wins", map[string]string{"a.go": "// SPDX-License-Identifier: GPL-3.0-only\n"},
			map[string]string{"REUSE.toml": "version = 1\n[[annotations]]\npath = \"*.go\"\nSPDX-License-Identifier = \"MIT\"\n"}, Fail, []string{"GPL-3.0-only"}},
		{"toml override beats the header", map[string]string{"a.go": "// SPDX-License-Identifier: GPL-3.0-only\n"},
			map[string]string{"REUSE.toml": "version = 1\n[[annotations]]\npath = \"*.go\"\nprecedence = \"override\"\nSPDX-License-Identifier = \"MIT\"\n"}, Pass, nil},
		{"toml aggregate adds", map[string]string{"a.go": "// SPDX-License-Identifier: MIT\n"},
			map[string]string{"REUSE.toml": "version = 1\n[[annotations]]\npath = \"*.go\"\nprecedence = \"aggregate\"\nSPDX-License-Identifier = \"GPL-3.0-only\"\n"}, Fail,
			[]string{"(GPL-3.0-only) AND (MIT)", "REUSE.toml, header"}},
		{"toml last table wins", map[string]string{"a.go": "package a\n"},
			map[string]string{"REUSE.toml": "version = 1\n[[annotations]]\npath = \"*.go\"\nSPDX-License-Identifier = \"MIT\"\n[[annotations]]\npath = [\"a.go\"]\nSPDX-License-Identifier = \"GPL-3.0-only\"\n"}, Fail,
			[]string{"GPL-3.0-only"}},
		{"nested toml: the closest wins", map[string]string{"sub/a.go": "package a\n"},
			map[string]string{
				"REUSE.toml":     "version = 1\n[[annotations]]\npath = \"**\"\nSPDX-License-Identifier = \"MIT\"\n",
				"sub/REUSE.toml": "version = 1\n[[annotations]]\npath = \"a.go\"\nSPDX-License-Identifier = \"GPL-3.0-only\"\n"}, Fail,
			[]string{"sub/REUSE.toml"}},
		{"nested toml: the root's override wins", map[string]string{"sub/a.go": "package a\n"},
			map[string]string{
				"REUSE.toml":     "version = 1\n[[annotations]]\npath = \"**\"\nprecedence = \"override\"\nSPDX-License-Identifier = \"MIT\"\n",
				"sub/REUSE.toml": "version = 1\n[[annotations]]\npath = \"a.go\"\nprecedence = \"override\"\nSPDX-License-Identifier = \"GPL-3.0-only\"\n"}, Pass, nil},
		{"nested toml covers only below it", map[string]string{"a.go": "package a\n"},
			map[string]string{"sub/REUSE.toml": "version = 1\n[[annotations]]\npath = \"**\"\nSPDX-License-Identifier = \"MIT\"\n"}, Fail, []string{"no SPDX-License-Identifier"}},
		{"broken toml fails closed", map[string]string{"a.go": "// SPDX-License-Identifier: MIT\n"},
			map[string]string{"REUSE.toml": "version = 2\n"}, Fail, []string{"REUSE.toml is not valid"}},

		// .license files and dep5.
		{"sidecar", map[string]string{"logo.go": "package x\n"}, map[string]string{"logo.go.license": "SPDX-FileCopyrightText: 2026 Acme\nSPDX-License-Identifier: MIT\n"}, Pass, nil},
		{"sidecar beats the header", map[string]string{"a.go": "// SPDX-License-Identifier: MIT\n"}, map[string]string{"a.go.license": "SPDX-License-Identifier: GPL-3.0-only\n"}, Fail,
			[]string{"a.go.license"}},
		{"binary with a sidecar", map[string]string{"a.go": "<binary>"}, map[string]string{"a.go.license": "SPDX-License-Identifier: MIT\n"}, Pass, nil},
		{"dep5 covers", map[string]string{"third/x.go": "package x\n"},
			map[string]string{".reuse/dep5": "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: third/*\nCopyright: Acme\nLicense: BSD-3-Clause\n"}, Pass, nil},
		{"dep5 aggregates", map[string]string{"third/x.go": "// SPDX-License-Identifier: MIT\n"},
			map[string]string{".reuse/dep5": "Files: *\nCopyright: Acme\nLicense: GPL-2.0-only\n"}, Fail, []string{"GPL-2.0-only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := SPDXHeaders(headerPR(tt.heads, tt.reuse), enforceHeaders())
			if f.Result != tt.result {
				t.Fatalf("result %s, want %s: %s", f.Result, tt.result, f.Message)
			}
			all := f.Message + "\n" + f.Details
			for _, a := range f.Annotations {
				all += "\n" + a.File + ":" + a.Title + ":" + a.Message
				if a.Line != 1 {
					t.Errorf("annotation on line %d, want 1", a.Line)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("%q not in\n%s", w, all)
				}
			}
			if tt.result == Fail && len(f.Annotations) == 0 && !strings.Contains(f.Message, "not checked") {
				t.Errorf("a failure without annotations")
			}
		})
	}
}

func TestSPDXFiles(t *testing.T) {
	pr := &PullRequest{
		Files:   []string{"a.go", "b.go", "old.txt", "new.go", "moved.go", "was.go", "vendor/x.go", "LICENSE.go", "README.md"},
		Status:  map[string]string{"a.go": "added", "b.go": "removed", "old.txt": "removed", "new.go": "renamed", "moved.go": "renamed", "was.go": "removed", "vendor/x.go": "added", "LICENSE.go": "added", "README.md": "modified"},
		Renamed: map[string]string{"new.go": "old.txt", "moved.go": "was.go"},
		Patches: map[string]string{"a.go": "@@", "vendor/x.go": "@@", "README.md": "@@"},
	}
	r := enforceHeaders()
	r.Exclude = []string{"vendor/**"}
	got := SPDXFiles(pr, r)
	want := []string{"a.go", "new.go"} // new.go: newly matched by its rename; moved.go: unchanged, matched before
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("SPDXFiles = %v, want %v", got, want)
	}
}

func TestSPDXHeadersEdges(t *testing.T) {
	r := enforceHeaders()
	if f := SPDXHeaders(&PullRequest{FilesComplete: true, Files: []string{"a.txt"}, Status: map[string]string{"a.txt": "added"}, FilesRead: 1, FileCount: 1}, r); f.Result != Pass {
		t.Errorf("no matching file: %s %s", f.Result, f.Message)
	}
	// Not gathered: fail closed.
	pr := headerPR(map[string]string{"a.go": "// SPDX-License-Identifier: MIT\n"}, nil)
	pr.Heads, pr.REUSE = nil, nil
	if f := SPDXHeaders(pr, r); f.Result != Fail {
		t.Errorf("heads not read: %s %s", f.Result, f.Message)
	}
	// An incomplete file list fails closed.
	pr = headerPR(map[string]string{"a.go": "// SPDX-License-Identifier: MIT\n"}, nil)
	pr.FilesComplete, pr.FileCount = false, 3001
	if f := SPDXHeaders(pr, r); f.Result != Fail || !strings.Contains(f.Message, "not checked") {
		t.Errorf("incomplete list: %s %s", f.Result, f.Message)
	}
	// A partial REUSE read is said, never hidden.
	pr = headerPR(map[string]string{"a.go": "package a\n"}, nil)
	pr.REUSE.Partial = true
	if f := SPDXHeaders(pr, r); f.Result != Fail || !strings.Contains(f.Message, "below the root were not read") {
		t.Errorf("partial REUSE: %s %s", f.Result, f.Message)
	}
	// Allowed entries that are expressions allow themselves.
	r.Allowed = []string{"MIT OR Apache-2.0"}
	if f := SPDXHeaders(headerPR(map[string]string{"a.go": "// SPDX-License-Identifier: Apache-2.0 OR MIT\n"}, nil), r); f.Result == Pass {
		t.Errorf("reordered compound allowed entry passed (it names the expression as written): %s", f.Message)
	}
	if f := SPDXHeaders(headerPR(map[string]string{"a.go": "// SPDX-License-Identifier: MIT OR Apache-2.0\n"}, nil), r); f.Result != Pass {
		t.Errorf("compound allowed entry: %s %s", f.Result, f.Message)
	}
	// An empty allowed list takes any valid expression.
	r.Allowed = []string{}
	if f := SPDXHeaders(headerPR(map[string]string{"a.go": "// SPDX-License-Identifier: GPL-3.0-only\n"}, nil), r); f.Result != Pass {
		t.Errorf("empty allowed: %s %s", f.Result, f.Message)
	}
	// Hostile file names stay inert in the Markdown.
	f := SPDXHeaders(headerPR(map[string]string{"x|@admin <b>.go": "package x\n"}, nil), enforceHeaders())
	if strings.Contains(f.Details, "| @admin") || strings.Contains(f.Message, " @admin") {
		t.Errorf("file name not inert:\n%s\n%s", f.Message, f.Details)
	}
	// Many failures: annotations and rows capped.
	heads := map[string]string{}
	for i := range 150 {
		heads[strings.Repeat("d/", i%3)+string(rune('a'+i%26))+strings.Repeat("x", i)+".go"] = "package x\n"
	}
	f = SPDXHeaders(headerPR(heads, nil), enforceHeaders())
	if len(f.Annotations) != maxHeaderAnnotations || !strings.Contains(f.Details, " more\n") || len(f.Details) > 20000 {
		t.Errorf("%d annotations, details %d bytes:\n%s", len(f.Annotations), len(f.Details), f.Details[len(f.Details)-200:])
	}
}

func TestReuseGlob(t *testing.T) {
	for _, tt := range []struct {
		glob, path string
		want       bool
	}{
		{"*.go", "a.go", true}, {"*.go", "d/a.go", false}, {"**/*.go", "a.go", true}, {"**/*.go", "d/e/a.go", true},
		{"src/**", "src/a/b", true}, {`a\*.go`, "a*.go", true}, {`a\*.go`, "ab.go", false}, {"*", ".hidden", true},
	} {
		if got := reuseGlob(tt.glob).MatchString(tt.path); got != tt.want {
			t.Errorf("reuseGlob(%q) on %q = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}
