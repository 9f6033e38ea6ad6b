package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readLicense returns a text from testdata/licenses.
func readLicense(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "licenses", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// check compares a finding with the expected result and message fragments.
func check(t *testing.T, f Finding, rule string, want Result, fragments ...string) {
	t.Helper()
	if f.Rule != rule {
		t.Errorf("Rule = %q, want %q", f.Rule, rule)
	}
	if f.Result != want {
		t.Errorf("Result = %s, want %s (message %q)", f.Result, want, f.Message)
	}
	for _, frag := range fragments {
		if !strings.Contains(f.Message, frag) && !strings.Contains(f.Remediation, frag) &&
			!strings.Contains(shown(f.Message), frag) && !strings.Contains(shown(f.Remediation), frag) {
			t.Errorf("message %q / remediation %q lack %q", f.Message, f.Remediation, frag)
		}
	}
	wellFormed(t, f)
}

// shown is a message as a reader sees it: code spans' backticks and their
// padding, backslash escapes and zero-width spaces dropped. A fragment may
// match the message as written or as shown.
func shown(md string) string {
	md = strings.ReplaceAll(md, "\u200b", "")
	for _, pad := range []string{"```` ", " ````", "``` ", " ```", "`` ", " ``"} {
		md = strings.ReplaceAll(md, pad, "")
	}
	md = strings.ReplaceAll(md, "`", "")
	var b strings.Builder
	for i := 0; i < len(md); i++ {
		if md[i] == '\\' && i+1 < len(md) && strings.IndexByte("\\`*_[]<>&!|~$#", md[i+1]) >= 0 {
			i++
		}
		b.WriteByte(md[i])
	}
	return b.String()
}

// wellFormed checks the invariants of every finding.
func wellFormed(t testing.TB, f Finding) {
	t.Helper()
	if f.Message == "" {
		t.Errorf("empty message in %+v", f)
	}
	if strings.ContainsAny(f.Message+f.Remediation, "\r\n") {
		t.Errorf("message or remediation spans several lines: %q / %q", f.Message, f.Remediation)
	}
	switch f.Result {
	case Fail:
		if f.Remediation == "" {
			t.Errorf("failing finding without remediation: %+v", f)
		}
	case Pass, Skip:
		if f.Remediation != "" {
			t.Errorf("%s finding with remediation: %+v", f.Result, f)
		}
	default:
		t.Errorf("unexpected result %q", f.Result)
	}
}
