package manifest

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// pep508 is a PEP 508 requirement read loosely: its name, its exact
// version ("==1.2" or "===1.2", else ""), and otherwise the version
// specifier or URL as written.
type pep508 struct {
	name, version, requirement string
}

var pep508Name = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`)

// parsePEP508 reads one requirement ("requests[socks] (>=2.0,<3) ;
// python_version < '3.11'", "foo @ https://…", "bar==1.0"); ok is false
// when it does not start with a distribution name.
func parsePEP508(s string) (pep508, bool) {
	s = strings.TrimSpace(s)
	name := pep508Name.FindString(s)
	if name == "" {
		return pep508{}, false
	}
	r := pep508{name: name}
	rest := strings.TrimSpace(s[len(name):])
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return pep508{}, false
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	if u, ok := strings.CutPrefix(rest, "@"); ok {
		// A URL requirement: the URL runs to " ;" (markers).
		u = strings.TrimSpace(u)
		if i := strings.Index(u, " ;"); i >= 0 {
			u = u[:i]
		}
		r.requirement = strings.TrimSpace(u)
		return r, true
	}
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		rest = rest[:i]
	}
	spec := strings.TrimSpace(rest)
	if strings.HasPrefix(spec, "(") && strings.HasSuffix(spec, ")") {
		spec = strings.TrimSpace(spec[1 : len(spec)-1])
	}
	if spec != "" && !strings.ContainsAny(spec[:1], "=<>!~") {
		return pep508{}, false
	}
	r.version = exactSpecifier(spec)
	if r.version == "" {
		r.requirement = spec
	}
	return r, true
}

// exactSpecifier is the version a specifier set pins ("==1.2", "===1.2"),
// else "".
func exactSpecifier(spec string) string {
	for _, one := range strings.Split(spec, ",") {
		one = strings.TrimSpace(one)
		var v string
		switch {
		case strings.HasPrefix(one, "==="):
			v = one[3:]
		case strings.HasPrefix(one, "=="):
			v = one[2:]
		default:
			continue
		}
		v = strings.TrimSpace(v)
		if v != "" && !strings.Contains(v, "*") {
			return v
		}
	}
	return ""
}

var requirementsComment = regexp.MustCompile(`(^|\s+)#.*$`)
var requirementsOption = regexp.MustCompile(`\s--?[A-Za-z]`)

// parseRequirements reads a pip requirements file: each requirement's
// name, its version when pinned with == (else the specifier as
// Requirement), on the line where it starts. Continuation lines, comments,
// environment markers, extras and per-requirement options (--hash) are
// understood; option lines (-r, -c, -i, --index-url, …), local paths and
// archives are skipped; an editable or URL requirement counts when it
// names its project (#egg=name). A plain requirements.txt is runtime;
// other requirements files (requirements-dev.txt, requirements/test.txt)
// are of unknown scope.
func parseRequirements(file string, data []byte) ([]Package, error) {
	scope := Unknown
	if path.Base(strings.ReplaceAll(file, `\`, "/")) == "requirements.txt" {
		scope = Runtime
	}
	var out []Package
	physical := bytes.Split(data, []byte("\n"))
	for i := 0; i < len(physical); i++ {
		start := i + 1
		line := strings.TrimRight(string(physical[i]), "\r")
		// A line ending in a backslash goes on on the next one.
		for strings.HasSuffix(line, `\`) && i+1 < len(physical) {
			i++
			line = line[:len(line)-1] + " " + strings.TrimRight(string(physical[i]), "\r")
		}
		line = strings.TrimSuffix(line, `\`)
		line = strings.TrimSpace(requirementsComment.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "-") {
			if p, ok := editable(line); ok {
				p.Scope, p.Line = scope, start
				out = append(out, p)
			}
			continue
		}
		if loc := requirementsOption.FindStringIndex(line); loc != nil {
			line = strings.TrimSpace(line[:loc[0]])
		}
		if isPathOrURL(line) {
			if name := eggName(line); name != "" {
				out = append(out, Package{Ecosystem: Pip, Name: name, Scope: scope, Line: start, Requirement: line})
			}
			continue
		}
		r, ok := parsePEP508(line)
		if !ok {
			return nil, errorf(file, start, "cannot read the requirement %q: want a name, then extras, a version specifier or \"@ url\", and markers", clip(line))
		}
		out = append(out, Package{Ecosystem: Pip, Name: r.name, Version: r.version, Requirement: r.requirement, Scope: scope, Line: start})
	}
	return out, nil
}

// editable reads "-e <url>#egg=name" / "--editable …"; other options
// declare no package.
func editable(line string) (Package, bool) {
	var rest string
	switch {
	case strings.HasPrefix(line, "-e"):
		rest = line[2:]
	case strings.HasPrefix(line, "--editable"):
		rest = line[len("--editable"):]
	default:
		return Package{}, false
	}
	rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "="))
	name := eggName(rest)
	if name == "" {
		return Package{}, false
	}
	return Package{Ecosystem: Pip, Name: name, Requirement: rest}, true
}

func isPathOrURL(s string) bool {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") {
		return true
	}
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], " @;") {
		return true
	}
	if strings.ContainsAny(s, "@ ;") {
		return false // "name @ url-of-an-archive" names its project
	}
	for _, ext := range []string{".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true // a local archive
		}
	}
	return false
}

var eggRE = regexp.MustCompile(`[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)`)

func eggName(s string) string {
	m := eggRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.TrimRight(m[1], "._-")
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

type pyprojectFile struct {
	Project struct {
		Dependencies         []string            `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	} `toml:"project"`
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             struct {
		Poetry struct {
			Dependencies    map[string]any `toml:"dependencies"`
			DevDependencies map[string]any `toml:"dev-dependencies"`
			Group           map[string]struct {
				Dependencies map[string]any `toml:"dependencies"`
			} `toml:"group"`
		} `toml:"poetry"`
	} `toml:"tool"`
}

// parsePyproject reads pyproject.toml: PEP 621 [project] dependencies and
// optional-dependencies (runtime), PEP 735 [dependency-groups]
// (development), Poetry's [tool.poetry.dependencies] (runtime, python
// skipped), [tool.poetry.dev-dependencies] and
// [tool.poetry.group.<name>.dependencies] (development; the group
// "main" is runtime). In file order.
func parsePyproject(file string, data []byte) ([]Package, error) {
	var f pyprojectFile
	at, err := decodeTOML(file, data, &f)
	if err != nil {
		return nil, err
	}
	var out []Package
	list := func(scope string, reqs []string, where ...string) error {
		for i, s := range reqs {
			line := at[tomlPath(append(where, index(i))...)]
			r, ok := parsePEP508(s)
			if !ok {
				return errorf(file, line, "cannot read the requirement %q in %s: want a name, then extras, a version specifier or \"@ url\", and markers", clip(s), strings.Join(where, "."))
			}
			out = append(out, Package{Ecosystem: Pip, Name: r.name, Version: r.version, Requirement: r.requirement, Scope: scope, Line: line})
		}
		return nil
	}
	if err := list(Runtime, f.Project.Dependencies, "project", "dependencies"); err != nil {
		return nil, err
	}
	for g, reqs := range f.Project.OptionalDependencies {
		if err := list(Runtime, reqs, "project", "optional-dependencies", g); err != nil {
			return nil, err
		}
	}
	for g, items := range f.DependencyGroups {
		var reqs []string
		var where []int
		for i, it := range items {
			if s, ok := it.(string); ok { // else {include-group = "…"}
				reqs = append(reqs, s)
				where = append(where, i)
			}
		}
		for k, s := range reqs {
			line := at[tomlPath("dependency-groups", g, index(where[k]))]
			r, ok := parsePEP508(s)
			if !ok {
				return nil, errorf(file, line, "cannot read the requirement %q in dependency-groups.%s", clip(s), g)
			}
			out = append(out, Package{Ecosystem: Pip, Name: r.name, Version: r.version, Requirement: r.requirement, Scope: Development, Line: line})
		}
	}
	poetry := func(scope string, deps map[string]any, where ...string) {
		for name, spec := range deps {
			if strings.EqualFold(name, "python") {
				continue
			}
			p := Package{Ecosystem: Pip, Name: name, Scope: scope, Line: at[tomlPath(append(where, name)...)]}
			p.Version, p.Requirement = poetrySpec(spec)
			out = append(out, p)
		}
	}
	poetry(Runtime, f.Tool.Poetry.Dependencies, "tool", "poetry", "dependencies")
	poetry(Development, f.Tool.Poetry.DevDependencies, "tool", "poetry", "dev-dependencies")
	for g, grp := range f.Tool.Poetry.Group {
		scope := Development
		if g == "main" {
			scope = Runtime
		}
		poetry(scope, grp.Dependencies, "tool", "poetry", "group", g, "dependencies")
	}
	sortByLine(out)
	return out, nil
}

// sortByLine puts entries decoded from maps back in file order.
func sortByLine(ps []Package) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Name < ps[j].Name
	})
}

var bareVersion = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*[A-Za-z0-9.+!_-]*$`)

// poetrySpec reads a Poetry dependency: "1.2.3" and "==1.2.3" are exact
// (Poetry reads a bare version as ==); "^1.2", {version = "^1.2"}, a git,
// path or url source, or several constraints give no version, and the
// requirement as written.
func poetrySpec(spec any) (version, requirement string) {
	switch s := spec.(type) {
	case string:
		c := strings.TrimSpace(s)
		if v, ok := strings.CutPrefix(c, "=="); ok && !strings.ContainsAny(v, ",*<>!~ ") {
			return strings.TrimSpace(v), ""
		}
		if bareVersion.MatchString(c) && !strings.Contains(c, "*") {
			return c, ""
		}
		return "", s
	case map[string]any:
		if v, ok := s["version"]; ok {
			return poetrySpec(v)
		}
		for _, k := range []string{"git", "url", "path"} {
			if v, ok := s[k].(string); ok {
				return "", v
			}
		}
	case []any:
		return "", fmt.Sprintf("%d constraints", len(s))
	}
	return "", ""
}

type poetryLockFile struct {
	Package []struct {
		Name     string   `toml:"name"`
		Version  string   `toml:"version"`
		Category string   `toml:"category"`
		Groups   []string `toml:"groups"`
	} `toml:"package"`
}

// parsePoetryLock reads poetry.lock's [[package]] entries. category
// "main" or a group "main" is runtime; category "dev" or only other
// groups is development; a lock that says neither, unknown.
func parsePoetryLock(file string, data []byte) ([]Package, error) {
	var f poetryLockFile
	at, err := decodeTOML(file, data, &f)
	if err != nil {
		return nil, err
	}
	out := make([]Package, 0, len(f.Package))
	for i, e := range f.Package {
		line := at[tomlPath("package", index(i))]
		if e.Name == "" || e.Version == "" {
			return nil, errorf(file, line, "a [[package]] without a name or version")
		}
		p := Package{Ecosystem: Pip, Name: e.Name, Version: e.Version, Scope: Unknown, Line: line}
		switch {
		case e.Category == "main":
			p.Scope = Runtime
		case e.Category == "dev":
			p.Scope = Development
		case len(e.Groups) > 0:
			p.Scope = Development
			for _, g := range e.Groups {
				if g == "main" {
					p.Scope = Runtime
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}
