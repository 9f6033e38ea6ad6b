package rules

import (
	"bytes"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// trailerCases are commit messages and the trailers git finds in them
// (checked against `git interpret-trailers --parse --no-divider` by
// TestTrailersMatchGit).
var trailerCases = []struct {
	name string
	msg  string
	want []Trailer
}{
	{"none", "Fix the parser\n", nil},
	{"subject only, looks like a trailer", "Signed-off-by: Jane <jane@x.example>\n", nil},
	{"subject and body, no trailers", "Fix\n\nThe parser broke on tabs.\n", nil},
	{"one sign-off", "Fix\n\nBody.\n\nSigned-off-by: Jane Doe <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane Doe <jane@x.example>"}}},
	{"right after the subject", "Fix\n\nSigned-off-by: Jane <jane@x.example>",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"several, several kinds", "Add x\n\nBody\n\nCo-authored-by: Bob <bob@x.example>\nCo-Authored-By: Carol <carol@x.example>\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Co-authored-by", "Bob <bob@x.example>"}, {"Co-Authored-By", "Carol <carol@x.example>"}, {"Signed-off-by", "Jane <jane@x.example>"}}},
	{"only the last paragraph", "Add x\n\nSigned-off-by: Old <old@x.example>\n\nCo-authored-by: Bob <bob@x.example>\n",
		[]Trailer{{"Co-authored-by", "Bob <bob@x.example>"}}},
	{"last paragraph not all trailers", "Add x\n\nSee the docs\nCo-authored-by: Bob <bob@x.example>\n", nil},
	{"a sign-off makes a mostly-trailer block count", "Add x\n\nSome text\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"but not when trailers are under a quarter", "Add x\n\nline 1\nline 2\nline 3\nline 4\nSigned-off-by: Jane <jane@x.example>\n", nil},
	{"exactly a quarter", "Add x\n\nline 1\nline 2\nline 3\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"sign-off prefix is case-sensitive for recognition", "Add x\n\ntext\nsigned-off-by: Jane <jane@x.example>\n", nil},
	{"trailing blank lines and spaces", "Add x\n\nSigned-off-by: Jane <jane@x.example>  \n\n  \n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"CRLF", "Add x\r\n\r\nSigned-off-by: Jane <jane@x.example>\r\nCo-authored-by: Bob <bob@x.example>\r\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}, {"Co-authored-by", "Bob <bob@x.example>"}}},
	{"continuation line", "Add x\n\nCo-authored-by: Bob\n  <bob@x.example>\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Co-authored-by", "Bob <bob@x.example>"}, {"Signed-off-by", "Jane <jane@x.example>"}}},
	{"space before the separator", "Add x\n\nSigned-off-by : Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"space inside the key is not a trailer", "Add x\n\nSigned off by: Jane <jane@x.example>\n", nil},
	{"comment lines ignored", "Add x\n\n# a comment\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"cherry-pick line", "Add x\n\n(cherry picked from commit 0123456789abcdef)\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"URL-like line", "Add x\n\nhttps://x.example/issue/1\n",
		[]Trailer{{"https", "//x.example/issue/1"}}},
	{"empty value", "Add x\n\nAcked-by:\n",
		[]Trailer{{"Acked-by", ""}}},
	{"leading blank lines: no title", "\n\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"empty", "", nil},
	{"no divider in commit messages", "Add x\n\n---\nSigned-off-by: Jane <jane@x.example>\n",
		[]Trailer{{"Signed-off-by", "Jane <jane@x.example>"}}},
	{"key with digits and hyphens", "Add x\n\nX-Issue-2: 42\n", []Trailer{{"X-Issue-2", "42"}}},
	{"indented line is not a trailer start", "Add x\n\n  Signed-off-by: Jane <jane@x.example>\n", nil},
}

func TestTrailers(t *testing.T) {
	for _, tt := range trailerCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := Trailers(tt.msg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Trailers(%q) =\n  %q\nwant\n  %q", tt.msg, got, tt.want)
			}
		})
	}
}

// TestTrailersMatchGit checks the cases above against git itself, when
// git is installed.
func TestTrailersMatchGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	for _, tt := range trailerCases {
		cmd := exec.Command(git, "interpret-trailers", "--parse", "--no-divider")
		cmd.Stdin = strings.NewReader(tt.msg)
		cmd.Env = []string{"HOME=/nonexistent", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: git interpret-trailers: %v", tt.name, err)
		}
		var want []string
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if l != "" {
				want = append(want, strings.TrimSpace(l))
			}
		}
		var got []string
		for _, tr := range Trailers(tt.msg) {
			got = append(got, strings.TrimSpace(tr.Key+": "+tr.Value))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Trailers = %q, git finds %q", tt.name, got, want)
		}
	}
}

func TestParsePerson(t *testing.T) {
	tests := []struct {
		in          string
		name, email string
		ok          bool
	}{
		{"Jane Doe <jane@x.example>", "Jane Doe", "jane@x.example", true},
		{"  Jane Doe   <jane@x.example>  ", "Jane Doe", "jane@x.example", true},
		{`"Doe, Jane" <jane@x.example>`, "Doe, Jane", "jane@x.example", true},
		{"<jane@x.example>", "", "jane@x.example", true},
		{"Jane <1234+jane@users.noreply.github.com>", "Jane", "1234+jane@users.noreply.github.com", true},
		{"Jane < jane@x.example >", "Jane", "jane@x.example", true},
		{"Jane", "", "", false},
		{"jane@x.example", "", "", false},
		{"Jane <jane>", "", "", false},
		{"Jane <@x.example>", "", "", false},
		{"Jane <jane@>", "", "", false},
		{"Jane <ja ne@x.example>", "", "", false},
		{"Jane <jane@x.example> (work)", "", "", false},
		{"Ja<ne <jane@x.example>", "", "", false},
		{"<>", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		name, email, ok := ParsePerson(tt.in)
		if name != tt.name || email != tt.email || ok != tt.ok {
			t.Errorf("ParsePerson(%q) = %q, %q, %v; want %q, %q, %v", tt.in, name, email, ok, tt.name, tt.email, tt.ok)
		}
	}
}

func TestNoreplyAccount(t *testing.T) {
	tests := []struct {
		email string
		want  Account
		ok    bool
	}{
		{"1234+jane@users.noreply.github.com", Account{ID: 1234, Login: "jane", FromText: true}, true},
		{"1234+Jane@Users.NoReply.GitHub.com", Account{ID: 1234, Login: "Jane", FromText: true}, true},
		{"49699333+dependabot[bot]@users.noreply.github.com", Account{ID: 49699333, Login: "dependabot[bot]", FromText: true}, true},
		{"jane@users.noreply.github.com", Account{Login: "jane", FromText: true}, true},
		{"x+jane@users.noreply.github.com", Account{}, false},
		{"0+jane@users.noreply.github.com", Account{}, false},
		{"1234+@users.noreply.github.com", Account{}, false},
		{"1234+ja ne@users.noreply.github.com", Account{}, false},
		{"jane@noreply.github.com", Account{}, false},
		{"jane@users.noreply.github.com.evil.example", Account{}, false},
		{"noreply@github.com", Account{}, false},
		{"", Account{}, false},
	}
	for _, tt := range tests {
		got, ok := noreplyAccount(tt.email)
		if got != tt.want || ok != tt.ok {
			t.Errorf("noreplyAccount(%q) = %+v, %v; want %+v, %v", tt.email, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzTrailers: no message makes Trailers or ParsePerson panic; every
// trailer has a key git would accept and a one-line value (a lone CR is
// not a line break for git); every email
// ParsePerson returns has an @ with something on both sides.
func FuzzTrailers(f *testing.F) {
	for _, tt := range trailerCases {
		f.Add(tt.msg)
	}
	f.Add("Fix\n\nCo-authored-by: \"Doe, Jane\" <jane@x.example>\n\tcontinued\n# c\nSigned-off-by: <a@b>\n")
	f.Add("x\n\n:\n-: v\nA :b\n\t\n")
	f.Fuzz(func(t *testing.T, msg string) {
		for _, tr := range Trailers(msg) {
			if tr.Key == "" {
				t.Fatalf("trailer without a key in %q", msg)
			}
			if strings.ContainsAny(tr.Key, ": \t\r\n") {
				t.Fatalf("key %q in %q", tr.Key, msg)
			}
			if strings.Contains(tr.Value, "\n") || strings.HasSuffix(tr.Value, "\r") {
				t.Fatalf("value %q spans lines in %q", tr.Value, msg)
			}
			if !tr.Is(tr.Key) {
				t.Fatalf("Is(%q) is false for its own key", tr.Key)
			}
			checkPerson(t, tr.Value)
		}
		checkPerson(t, msg)
	})
}

func checkPerson(t *testing.T, v string) {
	t.Helper()
	name, email, ok := ParsePerson(v)
	if !ok {
		if name != "" || email != "" {
			t.Fatalf("ParsePerson(%q) failed but returned %q, %q", v, name, email)
		}
		return
	}
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || strings.ContainsAny(email, " <>\n") || strings.ContainsAny(name, "<>") {
		t.Fatalf("ParsePerson(%q) = %q, %q", v, name, email)
	}
	if !bytes.Contains([]byte(v), []byte(email)) {
		t.Fatalf("email %q is not in %q", email, v)
	}
}
