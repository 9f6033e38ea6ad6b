// Package purl reads package URLs (https://github.com/package-url/purl-spec) and the package patterns ospo.yml's exceptions and /ospo allow name, and matches one against the other.
package purl

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Example is a package URL to show in messages.
const Example = "pkg:npm/left-pad@1.3.0"

// Written by hand rather than with a purl library: a pattern ("*" in a
// name or a version) is no package URL, and only the comparison of two
// of them is needed, not building or printing them.

// Pattern is a package URL, or a pattern of them, read and normalised:
// the type in lower case, each segment percent-decoded, the name as its
// type compares names (pypi: lower case, "_" and "." as "-"; github and
// bitbucket: lower case). Qualifiers and the subpath are not compared.
type Pattern struct {
	Type      string
	Path      string // namespace and name, decoded, joined by "/"
	Version   string // "" for every version
	HasGlob   bool
	canonical string
}

// String is the normalised form: type/namespace/name[@version].
func (p Pattern) String() string { return p.canonical }

// Parse reads a package URL or pattern: "pkg:<type>/<namespace>/<name>@<version>",
// with the version optional and "*" standing for any run of characters.
// Its error says what is wrong and how to write one.
func Parse(s string) (Pattern, error) {
	s = strings.TrimSpace(s)
	rest, ok := cutPrefixFold(s, "pkg:")
	if !ok {
		return Pattern{}, fmt.Errorf("a package URL begins with pkg:<type>/ (e.g. %s, or pkg:npm/left-pad for every version)", Example)
	}
	rest = strings.TrimLeft(rest, "/")
	if i := strings.LastIndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok || typ == "" || strings.Trim(rest, "/") == "" {
		return Pattern{}, fmt.Errorf("a package URL names a type and a package: pkg:<type>/<name> (e.g. %s)", Example)
	}
	for _, c := range typ {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-') {
			return Pattern{}, fmt.Errorf("%q is not a package type (npm, pypi, golang, maven, cargo, …)", typ)
		}
	}
	typ = strings.ToLower(typ)
	version := ""
	if at := strings.LastIndexByte(rest, '@'); at > strings.LastIndexByte(rest, '/') && at > 0 {
		rest, version = rest[:at], rest[at+1:]
		v, err := url.PathUnescape(version)
		if err != nil || v == "" {
			return Pattern{}, fmt.Errorf("%q is not a version; leave out \"@\" for every version", version)
		}
		version = v
	}
	var segs []string
	for _, seg := range strings.Split(strings.Trim(rest, "/"), "/") {
		if seg == "" {
			continue
		}
		d, err := url.PathUnescape(seg)
		if err != nil {
			return Pattern{}, fmt.Errorf("%q has a bad percent-encoding", seg)
		}
		segs = append(segs, d)
	}
	name := normaliseName(typ, strings.Join(segs, "/"))
	if strings.ContainsAny(name+version, " \t\r\n") {
		return Pattern{}, fmt.Errorf("a package URL has no spaces (e.g. %s)", Example)
	}
	p := Pattern{Type: typ, Path: name, Version: version}
	p.HasGlob = strings.Contains(name+version, "*")
	p.canonical = typ + "/" + name
	if version != "" {
		p.canonical += "@" + version
	}
	return p, nil
}

func normaliseName(typ, name string) string {
	switch typ {
	case "pypi":
		return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(name))
	case "github", "bitbucket", "githubactions":
		return strings.ToLower(name)
	}
	return name
}

// Match reports whether the package URL of a dependency matches p: the
// same type, package and (when p names one) version, "*" matching any
// run of characters.
func (p Pattern) Match(dep Pattern) bool {
	if p.Type != dep.Type || !glob(p.Path, dep.Path) {
		return false
	}
	return p.Version == "" || glob(p.Version, dep.Version)
}

// glob matches pattern against s, "*" any run of characters ("/" too);
// no other character is special.
func glob(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	// path.Match treats only "*", "?", "[" and "\\" specially, and "*"
	// stops at "/": quote the others and match segment-free.
	var b strings.Builder
	for _, c := range pattern {
		switch c {
		case '?', '[', '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '/':
			b.WriteRune('\x00')
		default:
			b.WriteRune(c)
		}
	}
	ok, err := path.Match(b.String(), strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// cutPrefixFold is strings.CutPrefix ignoring the case of ASCII letters.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// Of is the package URL of a dependency GitHub or a manifest names by
// ecosystem, name and version, when it came without one.
func Of(ecosystem, name, version string) string {
	typ := map[string]string{"pip": "pypi", "gomod": "golang", "go": "golang", "rubygems": "gem", "actions": "githubactions"}[strings.ToLower(ecosystem)]
	if typ == "" {
		typ = strings.ToLower(ecosystem)
	}
	if typ == "" || name == "" {
		return ""
	}
	var segs []string
	for _, s := range strings.Split(name, "/") {
		segs = append(segs, url.PathEscape(s))
	}
	if typ == "maven" {
		name = strings.Replace(name, ":", "/", 1)
		segs = segs[:0]
		for _, s := range strings.Split(name, "/") {
			segs = append(segs, url.PathEscape(s))
		}
	}
	out := "pkg:" + typ + "/" + strings.Join(segs, "/")
	if version != "" {
		out += "@" + url.PathEscape(version)
	}
	return out
}
