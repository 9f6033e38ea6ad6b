package purl

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, dep string
		want         bool
	}{
		{"pkg:npm/left-pad@1.3.0", "pkg:npm/left-pad@1.3.0", true},
		{"pkg:npm/left-pad@1.3.0", "pkg:npm/left-pad@1.3.1", false},
		{"pkg:npm/left-pad", "pkg:npm/left-pad@1.3.1", true},
		{"pkg:npm/left-pad", "pkg:npm/left-pads@1.3.1", false},
		{"PKG:NPM/left-pad", "pkg:npm/left-pad@1", true},               // type and scheme in any case
		{"pkg:npm/%40acme/widget", "pkg:npm/@acme/widget@2.0.0", true}, // percent-encoding
		{"pkg:npm/@acme/*", "pkg:npm/%40acme/widget@2.0.0", true},
		{"pkg:npm/@acme/*", "pkg:npm/@other/widget@2.0.0", false},
		{"pkg:npm/left-pad@1.*", "pkg:npm/left-pad@1.3.0", true},
		{"pkg:npm/left-pad@1.*", "pkg:npm/left-pad@2.0.0", false},
		{"pkg:golang/github.com/acme/*", "pkg:golang/github.com/acme/lib/v2@v2.1.0", true}, // * spans "/"
		{"pkg:golang/github.com/Acme/lib", "pkg:golang/github.com/acme/lib@v1.0.0", false}, // Go paths keep their case
		{"pkg:pypi/Django_Rest", "pkg:pypi/django-rest@3.0", true},
		{"pkg:maven/org.apache.commons/commons-lang3", "pkg:maven/org.apache.commons/commons-lang3@3.14.0?type=jar", true},
		{"pkg:npm/left-pad", "pkg:cargo/left-pad@1.0.0", false},
		{"pkg:npm/a?b", "pkg:npm/axb@1", false}, // ? is a qualifier separator, not a wildcard
		{"pkg:npm/[ab]", "pkg:npm/a@1", false},
	} {
		p, err := Parse(tc.pattern)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.pattern, err)
			continue
		}
		d, err := Parse(tc.dep)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.dep, err)
			continue
		}
		if got := p.Match(d); got != tc.want {
			t.Errorf("%q matches %q: %v, want %v (%s vs %s)", tc.pattern, tc.dep, got, tc.want, p, d)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"left-pad", "begins with pkg:<type>/"},
		{"npm/left-pad@1.0.0", "begins with pkg:<type>/"},
		{"pkg:npm", "names a type and a package"},
		{"pkg:npm/", "names a type and a package"},
		{"pkg:n_pm/x", "not a package type"},
		{"pkg:npm/x@", "not a version"},
		{"pkg:npm/%zz", "percent-encoding"},
		{"", "begins with pkg:"},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}

func TestOf(t *testing.T) {
	for _, tc := range []struct{ eco, name, version, want string }{
		{"npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0"},
		{"npm", "@acme/widget", "2.0.0", "pkg:npm/@acme/widget@2.0.0"},
		{"pip", "requests", "2.0", "pkg:pypi/requests@2.0"},
		{"gomod", "github.com/acme/lib", "v1.0.0", "pkg:golang/github.com/acme/lib@v1.0.0"},
		{"maven", "org.apache:commons", "1.0", "pkg:maven/org.apache/commons@1.0"},
		{"", "x", "1", ""},
	} {
		if got := Of(tc.eco, tc.name, tc.version); got != tc.want {
			t.Errorf("Of(%q, %q, %q) = %q, want %q", tc.eco, tc.name, tc.version, got, tc.want)
		}
	}
}
