package rules

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// This file applies the REUSE specification, version 3.3
// (https://reuse.software/spec-3.3/), to one file: the licences its
// header, its .license file, the REUSE.toml files above it and
// .reuse/dep5 give it.

// spdxTag finds an SPDX-License-Identifier tag as REUSE does: anywhere
// in a line, in any comment style.
var spdxTag = regexp.MustCompile(`SPDX-License-Identifier:[ \t]*(.*)$`)

// commentClosers are the ends of multi-line comments REUSE strips from
// the end of an identifier's line.
var commentClosers = []string{"*/", "-->", "-}", "*)", "]]", "#>", `"""`, "'''", "%>", "}}", "--%>", "=end", "|#", "*}", "--]]"}

// headerIdentifiers returns the SPDX license expressions a file's first
// lines (or a .license file) declare, in order, leaving out those in
// REUSE-IgnoreStart/End blocks and in snippets (SPDX-SnippetBegin/End).
func headerIdentifiers(text string) []string {
	var out []string
	ignoring, snippet := false, false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.Contains(line, "REUSE-IgnoreStart"):
			ignoring = true
			continue
		case strings.Contains(line, "REUSE-IgnoreEnd"):
			ignoring = false
			continue
		case strings.Contains(line, "SPDX-SnippetBegin"):
			snippet = true
			continue
		case strings.Contains(line, "SPDX-SnippetEnd"):
			snippet = false
			continue
		}
		if ignoring || snippet {
			continue
		}
		m := spdxTag.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		out = append(out, trimClosers(m[1]))
	}
	return out
}

func trimClosers(s string) string {
	s = strings.TrimSpace(s)
	for changed := true; changed; {
		changed = false
		for _, c := range commentClosers {
			if t, ok := strings.CutSuffix(s, c); ok {
				s, changed = strings.TrimSpace(t), true
			}
		}
	}
	return s
}

// Precedence values of REUSE.toml annotations.
const (
	precedenceClosest   = "closest"
	precedenceAggregate = "aggregate"
	precedenceOverride  = "override"
)

// reuseToml is a parsed REUSE.toml.
type reuseToml struct {
	path        string // of the file, e.g. "REUSE.toml", "vendor/REUSE.toml"
	dir         string // its directory, "" for the root
	annotations []reuseAnnotation
}

type reuseAnnotation struct {
	paths      []*regexp.Regexp
	precedence string
	licenses   []string
}

// parseReuseToml parses a REUSE.toml (version 1).
func parseReuseToml(p, text string) (*reuseToml, error) {
	var doc map[string]any
	if err := toml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("not valid TOML: %s", oneLine(err.Error()))
	}
	if v, ok := doc["version"].(int64); !ok || v != 1 {
		return nil, fmt.Errorf("the version key must be 1, found %v", doc["version"])
	}
	out := &reuseToml{path: p, dir: dirOf(p)}
	raw, _ := doc["annotations"].([]any)
	if doc["annotations"] != nil && raw == nil {
		return nil, fmt.Errorf("annotations must be an array of tables ([[annotations]])")
	}
	for i, a := range raw {
		t, ok := a.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("annotations[%d] is not a table", i)
		}
		paths, err := stringOrList(t["path"])
		if err != nil || len(paths) == 0 {
			return nil, fmt.Errorf("annotations[%d]: path must be a string or a list of strings", i)
		}
		ann := reuseAnnotation{precedence: precedenceClosest}
		for _, g := range paths {
			ann.paths = append(ann.paths, reuseGlob(g))
		}
		if pr, found := t["precedence"]; found {
			s, _ := pr.(string)
			switch s {
			case precedenceClosest, precedenceAggregate, precedenceOverride:
				ann.precedence = s
			default:
				return nil, fmt.Errorf("annotations[%d]: precedence must be closest, aggregate or override, found %v", i, pr)
			}
		}
		if ann.licenses, err = stringOrList(t["SPDX-License-Identifier"]); err != nil {
			return nil, fmt.Errorf("annotations[%d]: SPDX-License-Identifier must be a string or a list of strings", i)
		}
		out.annotations = append(out.annotations, ann)
	}
	return out, nil
}

func stringOrList(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		var out []string
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("not a string: %v", x)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a string or a list: %v", v)
}

// reuseGlob compiles a REUSE.toml path: * matches anything but "/",
// ** and **/ match anything including "/", and a backslash makes the
// next character literal (in the TOML text it is written "\\").
func reuseGlob(g string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case c == '\\' && i+1 < len(g):
			i++
			b.WriteString(regexp.QuoteMeta(string(g[i])))
		case c == '*' && strings.HasPrefix(g[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case c == '*' && strings.HasPrefix(g[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// match returns the last annotation of t that covers file (a path from
// the repository's root), as the specification asks.
func (t *reuseToml) match(file string) (reuseAnnotation, bool) {
	rel := file
	if t.dir != "" {
		var ok bool
		if rel, ok = strings.CutPrefix(file, t.dir+"/"); !ok {
			return reuseAnnotation{}, false
		}
	}
	for i := len(t.annotations) - 1; i >= 0; i-- {
		a := t.annotations[i]
		if slices.ContainsFunc(a.paths, func(re *regexp.Regexp) bool { return re.MatchString(rel) }) {
			return a, true
		}
	}
	return reuseAnnotation{}, false
}

// dep5Paragraph is a Files paragraph of .reuse/dep5.
type dep5Paragraph struct {
	files   []*regexp.Regexp
	license string
}

// parseDep5 parses .reuse/dep5 (Debian's machine-readable copyright
// format 1.0): the paragraphs with a Files field, each with its
// License's first line (the SPDX expression).
func parseDep5(text string) ([]dep5Paragraph, error) {
	var out []dep5Paragraph
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for n, para := range strings.Split(text, "\n\n") {
		fields := map[string]string{}
		last := ""
		for _, line := range strings.Split(para, "\n") {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if line[0] == ' ' || line[0] == '\t' {
				if last != "" {
					fields[last] += "\n" + strings.TrimSpace(line)
				}
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("paragraph %d: %q is not a field", n+1, oneLine(line))
			}
			last = strings.ToLower(strings.TrimSpace(k))
			fields[last] = strings.TrimSpace(v)
		}
		globs, ok := fields["files"]
		if !ok {
			continue
		}
		lic, _, _ := strings.Cut(fields["license"], "\n")
		p := dep5Paragraph{license: strings.TrimSpace(lic)}
		for _, g := range strings.Fields(globs) {
			p.files = append(p.files, dep5Glob(g))
		}
		out = append(out, p)
	}
	return out, nil
}

// dep5Glob compiles a Files pattern of the Debian format: * matches any
// characters including "/", ? one character, a backslash escapes.
func dep5Glob(g string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	g = strings.TrimPrefix(g, "./")
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case c == '\\' && i+1 < len(g):
			i++
			b.WriteString(regexp.QuoteMeta(string(g[i])))
		case c == '*':
			b.WriteString(".*")
		case c == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

// licensing is what REUSE says of one file's licence.
type licensing struct {
	// expressions are the SPDX expressions that apply (all of them: a
	// file under two is under both), each with where it comes from.
	expressions []sourced
	// problem: a REUSE file that may cover this file could not be read
	// or parsed; the file fails closed.
	problem string
	// independent: the file's contents do not count (a .license file or
	// an override annotation gives its licence).
	independent bool
}

type sourced struct {
	expr   string
	source string // "header", "x.png.license", "REUSE.toml", ".reuse/dep5"
}

// reuseIndex is a pull request's REUSE files, parsed once.
type reuseIndex struct {
	tomls    []*reuseToml // sorted from the root down
	bad      map[string]string
	dep5     []dep5Paragraph
	dep5Used bool
	sidecars map[string]string
	unread   map[string]string
	notes    []string
}

func newReuseIndex(r *REUSE) *reuseIndex {
	ix := &reuseIndex{bad: map[string]string{}, sidecars: map[string]string{}, unread: map[string]string{}}
	if r == nil {
		return ix
	}
	for _, u := range r.Problems {
		ix.unread[u.Path] = u.Why
	}
	if r.Partial {
		ix.notes = append(ix.notes, "the repository's tree is too large for GitHub to list at once, so REUSE.toml files below the root were not read")
	}
	hasToml := false
	for p := range r.Files {
		if path.Base(p) == "REUSE.toml" {
			hasToml = true
		}
	}
	for _, p := range slices.Sorted(maps.Keys(r.Files)) {
		text := r.Files[p]
		switch {
		case path.Base(p) == "REUSE.toml":
			t, err := parseReuseToml(p, text)
			if err != nil {
				ix.bad[p] = err.Error()
				continue
			}
			ix.tomls = append(ix.tomls, t)
		case p == ".reuse/dep5":
			if hasToml {
				ix.notes = append(ix.notes, "the repository has both REUSE.toml and .reuse/dep5, which the REUSE specification forbids; .reuse/dep5 is ignored")
				continue
			}
			paras, err := parseDep5(text)
			if err != nil {
				ix.bad[p] = err.Error()
				continue
			}
			ix.dep5, ix.dep5Used = paras, true
		case strings.HasSuffix(p, ".license"):
			ix.sidecars[strings.TrimSuffix(p, ".license")] = text
		}
	}
	slices.SortStableFunc(ix.tomls, func(a, b *reuseToml) int { return depth(a.dir) - depth(b.dir) })
	return ix
}

func depth(dir string) int {
	if dir == "" {
		return 0
	}
	return strings.Count(dir, "/") + 1
}

// within reports whether file is in dir or below ("" is the root).
func within(file, dir string) bool { return dir == "" || strings.HasPrefix(file, dir+"/") }

// of applies the order of precedence to one file whose own header
// declares own (nil when it has none or was not read as text).
func (ix *reuseIndex) of(file string, own []string) licensing {
	var out licensing
	// A REUSE file that may say something about this file but could not
	// be read or parsed: nothing can be concluded.
	for p, why := range ix.unread {
		if (path.Base(p) == "REUSE.toml" && within(file, dirOf(p))) || p == ".reuse/dep5" || p == file+".license" {
			out.problem = fmt.Sprintf("%s could not be read: %s", p, why)
			return out
		}
	}
	for p, why := range ix.bad {
		if (path.Base(p) == "REUSE.toml" && within(file, dirOf(p))) || p == ".reuse/dep5" {
			out.problem = fmt.Sprintf("%s is not valid: %s", p, why)
			return out
		}
	}
	// The file's own information: its .license file, which takes
	// precedence over its contents, or its header.
	var mine []sourced
	if text, ok := ix.sidecars[file]; ok {
		out.independent = true
		for _, e := range headerIdentifiers(text) {
			mine = append(mine, sourced{e, path.Base(file) + ".license"})
		}
	} else {
		for _, e := range own {
			mine = append(mine, sourced{e, "header"})
		}
	}
	// REUSE.toml, from the root down: the last matching table of each;
	// an override ends the search and ignores everything closer.
	var aggregate, closest []sourced
	for _, t := range ix.tomls {
		if !within(file, t.dir) {
			continue
		}
		a, ok := t.match(file)
		if !ok {
			continue
		}
		var lics []sourced
		for _, e := range a.licenses {
			lics = append(lics, sourced{e, t.path})
		}
		switch a.precedence {
		case precedenceOverride:
			out.expressions, out.independent = append(aggregate, lics...), true
			return out
		case precedenceAggregate:
			aggregate = append(aggregate, lics...)
		default:
			if len(lics) > 0 {
				closest = lics // the deepest wins
			}
		}
	}
	out.expressions = append(aggregate, mine...)
	if len(mine) == 0 {
		out.expressions = append(out.expressions, closest...)
	}
	// .reuse/dep5 is aggregated with the file's own information; the
	// last matching paragraph counts.
	if ix.dep5Used {
		for i := len(ix.dep5) - 1; i >= 0; i-- {
			p := ix.dep5[i]
			if slices.ContainsFunc(p.files, func(re *regexp.Regexp) bool { return re.MatchString(file) }) {
				if p.license != "" {
					out.expressions = append(out.expressions, sourced{p.license, ".reuse/dep5"})
				}
				break
			}
		}
	}
	return out
}
