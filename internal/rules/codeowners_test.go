package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/hmarr/codeowners"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func ownersSnapshot(files map[string]string) *Snapshot {
	s := &Snapshot{DefaultBranch: "main", Paths: []string{"README.md", "docs/", ".github/"}, Contents: map[string]string{}}
	for p, text := range files {
		s.Paths = append(s.Paths, p)
		s.Contents[p] = text
	}
	return s
}

func TestCodeowners(t *testing.T) {
	on := policy.CodeownersRule{Mode: policy.Enforce}
	strict := policy.CodeownersRule{Mode: policy.Enforce, RequireDefaultOwner: true}
	valid := "# owners\n* @acme/core\n/docs/ @acme/docs docs@acme.example\n" // a TLD longer than six letters
	tests := []struct {
		name      string
		s         *Snapshot
		r         policy.CodeownersRule
		want      Result
		file      string
		line      int
		fragments []string
	}{
		{"off", ownersSnapshot(nil), policy.CodeownersRule{Mode: policy.Off}, Skip, "", 0, []string{"codeowners rule is off"}},
		{"missing", ownersSnapshot(nil), on, Fail, "", 0, []string{"no CODEOWNERS file in .github/, the root or docs/ of main", ".github/CODEOWNERS"}},
		{"nil snapshot", nil, on, Fail, "", 0, []string{"no CODEOWNERS file"}},
		{"wrong case is not read by GitHub", ownersSnapshot(map[string]string{"codeowners": valid}), on, Fail, "", 0, []string{"no CODEOWNERS file"}},
		{"valid in .github", ownersSnapshot(map[string]string{".github/CODEOWNERS": valid}), strict, Pass, ".github/CODEOWNERS", 0,
			[]string{".github/CODEOWNERS is valid: 2 rules"}},
		{"root", ownersSnapshot(map[string]string{"CODEOWNERS": "*.go @gopher\n"}), on, Pass, "CODEOWNERS", 0, []string{"CODEOWNERS is valid: 1 rule"}},
		{"docs", ownersSnapshot(map[string]string{"docs/CODEOWNERS": valid}), on, Pass, "docs/CODEOWNERS", 0, nil},
		{".github wins over root", ownersSnapshot(map[string]string{".github/CODEOWNERS": "* @a\n", "CODEOWNERS": "bad line with # !\n"}), on, Pass, ".github/CODEOWNERS", 0, nil},
		{"root wins over docs", ownersSnapshot(map[string]string{"CODEOWNERS": "!x @a\n", "docs/CODEOWNERS": valid}), on, Fail, "CODEOWNERS", 1, []string{"CODEOWNERS cannot be parsed: line 1"}},
		{"not read", &Snapshot{Paths: []string{"CODEOWNERS"}}, on, Fail, "CODEOWNERS", 0, []string{"CODEOWNERS exists but its text was not read"}},
		{"empty shadows", ownersSnapshot(map[string]string{".github/CODEOWNERS": "# TODO\n\n", "docs/CODEOWNERS": valid}), on, Fail, ".github/CODEOWNERS", 0,
			[]string{".github/CODEOWNERS is empty and shadows docs/CODEOWNERS", "move the rules of docs/CODEOWNERS into .github/CODEOWNERS"}},
		{"empty shadows root", ownersSnapshot(map[string]string{".github/CODEOWNERS": "", "CODEOWNERS": valid, "docs/CODEOWNERS": valid}), on, Fail, ".github/CODEOWNERS", 0,
			[]string{"is empty and shadows CODEOWNERS,"}},
		{"empty alone", ownersSnapshot(map[string]string{"CODEOWNERS": "  # nobody\n"}), on, Fail, "CODEOWNERS", 0, []string{"CODEOWNERS has no rules"}},
		{"parse error line", ownersSnapshot(map[string]string{"CODEOWNERS": "* @a\n\n/src/ @b\n[abc] @c\n"}), on, Fail, "CODEOWNERS", 4,
			[]string{"cannot be parsed: line 4: unexpected character '['"}},
		{"bad owner", ownersSnapshot(map[string]string{"CODEOWNERS": "* @a\n*.go not-an-owner\n"}), on, Fail, "CODEOWNERS", 2, []string{"line 2", "not-an-owner"}},
		{"github errors", func() *Snapshot {
			s := ownersSnapshot(map[string]string{".github/CODEOWNERS": valid})
			s.CodeownersErrors = []CodeownersError{
				{Line: 3, Column: 9, Kind: "Unknown owner", Source: "/docs/ @acme/docs docs@acme.example\n", Suggestion: "make sure @acme/docs exists and has write access to the repository", Message: "Unknown owner on line 3: make sure...\n\n  /docs/ @acme/docs\n", Path: ".github/CODEOWNERS"},
				{Line: 5, Message: "Invalid pattern on line 5\nmore"},
			}
			return s
		}(), on, Fail, ".github/CODEOWNERS", 3, []string{
			"GitHub reports 2 errors in .github/CODEOWNERS: line 3: Unknown owner in `/docs/ @acme/docs docs@acme.example` (make sure @\u200bacme/docs exists and has write access to the repository); line 5: Invalid pattern on line 5",
		}},
		{"no default owner", ownersSnapshot(map[string]string{"CODEOWNERS": "/src/ @a\n*.md @b\n"}), strict, Fail, "CODEOWNERS", 0,
			[]string{"CODEOWNERS has no rule that gives every file an owner", "`* @your-org/your-team`"}},
		{"root-only star is not a default", ownersSnapshot(map[string]string{"CODEOWNERS": "/* @a\n"}), strict, Fail, "CODEOWNERS", 0, []string{"no rule that gives every file"}},
		{"double star is a default", ownersSnapshot(map[string]string{"CODEOWNERS": "/** @a\n"}), strict, Pass, "CODEOWNERS", 0, nil},
		{"bare double star is a default", ownersSnapshot(map[string]string{"CODEOWNERS": "** @a\n/docs/ @b\n"}), strict, Pass, "CODEOWNERS", 0, nil},
		{"default without owners", ownersSnapshot(map[string]string{"CODEOWNERS": "*\n"}), strict, Fail, "CODEOWNERS", 0, []string{"no rule that gives every file"}},
		{"later ownerless star cancels", ownersSnapshot(map[string]string{"CODEOWNERS": "* @a\n/src/ @b\n*\n"}), strict, Fail, "CODEOWNERS", 0, []string{"no rule"}},
		{"slash pattern does not crash", ownersSnapshot(map[string]string{"CODEOWNERS": "/ @a\n* @b\n"}), strict, Pass, "CODEOWNERS", 0, nil},
		{"no default needed", ownersSnapshot(map[string]string{"CODEOWNERS": "/src/ @a\n"}), on, Pass, "CODEOWNERS", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Codeowners(tt.s, tt.r)
			check(t, f, RuleCodeowners, tt.want, tt.fragments...)
			if f.File != tt.file || f.Line != tt.line {
				t.Errorf("File, Line = %q, %d; want %q, %d", f.File, f.Line, tt.file, tt.line)
			}
		})
	}
}

func TestErrorLine(t *testing.T) {
	_, err := codeowners.ParseFile(strings.NewReader("* @a\n\n\n# c\n*.go ~x\n"))
	if err == nil {
		t.Fatal("no parse error")
	}
	if got := errorLine(err); got != 5 {
		t.Errorf("errorLine(%v) = %d, want 5", err, got)
	}
	if got := errorLine(errors.New("bufio.Scanner: token too long")); got != 0 {
		t.Errorf("errorLine without a line = %d", got)
	}
}

func FuzzCodeowners(f *testing.F) {
	for _, seed := range []string{"* @acme/core\n", "/ @a\n", "# c\n\n", "docs/** @a b@c.d\n*\n", "a\\ b @x\n", "/x/ @y # z\n", "\\"} {
		f.Add(seed)
	}
	rule := policy.CodeownersRule{Mode: policy.Enforce, RequireDefaultOwner: true}
	f.Fuzz(func(t *testing.T, text string) {
		for _, file := range codeownersPaths {
			s := &Snapshot{Paths: []string{file, "docs/CODEOWNERS"}, Contents: map[string]string{file: text, "docs/CODEOWNERS": "* @a\n"}}
			fd := Codeowners(s, rule)
			if fd.Rule != RuleCodeowners || fd.File != file || (fd.Result != Pass && fd.Result != Fail) {
				t.Fatalf("unexpected finding %+v", fd)
			}
			wellFormed(t, fd)
		}
	})
}
