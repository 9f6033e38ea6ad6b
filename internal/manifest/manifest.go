// Package manifest reads which dependencies manifests and lock files declare, from their bytes alone.
package manifest

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// Package is one dependency a manifest or lock file declares.
type Package struct {
	Ecosystem string // as GitHub's dependency graph names it: "npm", "gomod", "pip", "cargo", "maven"
	Name      string // as the ecosystem writes it (npm "@scope/name", Go module path, Maven "group:artifact")
	Version   string // exact version; "" when the manifest gives only a range (requirements "foo>=1.2")
	Scope     string // "runtime", "development" or "unknown"
	Line      int    // 1-based line in the file that declares it (0 if not known)
	License   string // the licence the file itself records (package-lock.json "license"), else ""
	// Requirement is what the manifest wrote when it gave no exact
	// version ("^4.17.1", ">=2.26,<3.0"), else "".
	Requirement string
}

// Scopes.
const (
	Runtime     = "runtime"
	Development = "development"
	Unknown     = "unknown"
)

// Ecosystems, as GitHub's dependency graph names them.
const (
	NPM   = "npm"
	GoMod = "gomod"
	Pip   = "pip"
	Cargo = "cargo"
	Maven = "maven"
)

// Error is a manifest that cannot be read: the file, the line (0 when
// unknown) and what is wrong there.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

func errorf(file string, line int, format string, args ...any) error {
	return &Error{Path: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// kind is which format a file name says a file is in.
type kind int

const (
	none kind = iota
	goMod
	packageJSON
	packageLock
	requirementsTxt
	pyprojectTOML
	poetryLock
	cargoTOML
	cargoLock
	pomXML
)

func kindOf(p string) kind {
	p = strings.ReplaceAll(p, `\`, "/")
	base := path.Base(p)
	switch base {
	case "go.mod":
		return goMod
	case "package.json":
		return packageJSON
	case "package-lock.json", "npm-shrinkwrap.json":
		return packageLock
	case "pyproject.toml":
		return pyprojectTOML
	case "poetry.lock":
		return poetryLock
	case "Cargo.toml":
		return cargoTOML
	case "Cargo.lock":
		return cargoLock
	case "pom.xml":
		return pomXML
	}
	if strings.HasSuffix(base, ".txt") {
		if strings.Contains(strings.ToLower(base), "requirements") {
			return requirementsTxt
		}
		if dir := path.Base(path.Dir(p)); strings.EqualFold(dir, "requirements") {
			return requirementsTxt
		}
	}
	return none
}

// Recognised says whether path (in any directory) is a manifest or lock
// file that Parse reads: go.mod, package.json, package-lock.json,
// npm-shrinkwrap.json, requirements files (*requirements*.txt and any
// .txt in a directory named requirements), pyproject.toml, poetry.lock,
// Cargo.toml, Cargo.lock, pom.xml.
func Recognised(path string) bool { return kindOf(path) != none }

// Parse reads the dependencies the manifest or lock file at path declares
// (path says which format it is; see Recognised), in file order. Malformed
// input gives an *Error naming the file and, where known, the line.
func Parse(path string, data []byte) ([]Package, error) {
	ps, err := parseFormat(path, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if strings.TrimSpace(p.Name) == "" {
			return nil, errorf(path, p.Line, "a dependency without a name")
		}
	}
	return ps, nil
}

func parseFormat(path string, data []byte) ([]Package, error) {
	switch kindOf(path) {
	case goMod:
		return parseGoMod(path, data)
	case packageJSON:
		return parsePackageJSON(path, data)
	case packageLock:
		return parsePackageLock(path, data)
	case requirementsTxt:
		return parseRequirements(path, data)
	case pyprojectTOML:
		return parsePyproject(path, data)
	case poetryLock:
		return parsePoetryLock(path, data)
	case cargoTOML:
		return parseCargoTOML(path, data)
	case cargoLock:
		return parseCargoLock(path, data)
	case pomXML:
		return parsePOM(path, data)
	}
	return nil, errorf(path, 0, "not a manifest or lock file this bot reads")
}

// Companion is the manifest or lock file that goes with path, in the same
// directory: package.json ↔ package-lock.json, Cargo.toml ↔ Cargo.lock,
// pyproject.toml ↔ poetry.lock; "" when none (go.mod, requirements
// files, pom.xml). npm-shrinkwrap.json goes with package.json, whose
// companion is package-lock.json.
func Companion(p string) string {
	dir, base := path.Split(strings.ReplaceAll(p, `\`, "/"))
	var other string
	switch base {
	case "package.json":
		other = "package-lock.json"
	case "package-lock.json", "npm-shrinkwrap.json":
		other = "package.json"
	case "Cargo.toml":
		other = "Cargo.lock"
	case "Cargo.lock":
		other = "Cargo.toml"
	case "pyproject.toml":
		other = "poetry.lock"
	case "poetry.lock":
		other = "pyproject.toml"
	default:
		return ""
	}
	return dir + other
}

// Change is a dependency that head adds, or moves to another version.
type Change struct {
	Package
	// Previous is the version it replaces (the requirement written, when
	// the base gave no exact version); "" when added.
	Previous string
}

// Changes lists what head adds or moves to another version compared with
// base, in head order. A package is the same in both when its ecosystem
// and name are (pip names compared PEP 503-normalised; scope is
// ignored); it is listed when base has no entry of that package at head's
// version. A package head lists twice at one version is listed once.
// Removed packages are not listed, nor are version-less entries whose
// requirement alone changed (the lock file, if any, lists the version
// that moved).
func Changes(base, head []Package) []Change {
	type key struct{ eco, name string }
	versions := make(map[key][]Package, len(base))
	for _, p := range base {
		k := key{p.Ecosystem, identity(p)}
		versions[k] = append(versions[k], p)
	}
	headVersions := make(map[key]map[string]bool, len(head))
	for _, p := range head {
		k := key{p.Ecosystem, identity(p)}
		if headVersions[k] == nil {
			headVersions[k] = map[string]bool{}
		}
		headVersions[k][p.Version] = true
	}
	var out []Change
	seen := map[[3]string]bool{}
	for _, p := range head {
		k := key{p.Ecosystem, identity(p)}
		sk := [3]string{k.eco, k.name, p.Version}
		if seen[sk] {
			continue
		}
		seen[sk] = true
		olds := versions[k]
		same := false
		for _, o := range olds {
			if o.Version == p.Version {
				same = true
				break
			}
		}
		if same {
			continue
		}
		c := Change{Package: p}
		if len(olds) > 0 {
			// The version it replaces: one base has that head no longer
			// lists, else the first.
			prev := olds[0]
			for _, o := range olds {
				if !headVersions[k][o.Version] {
					prev = o
					break
				}
			}
			c.Previous = prev.Version
			if c.Previous == "" {
				c.Previous = prev.Requirement
			}
		}
		out = append(out, c)
	}
	return out
}

// identity is the name that says two entries are the same package.
func identity(p Package) string {
	if p.Ecosystem == Pip {
		return pep503(p.Name)
	}
	return p.Name
}

// lines turns byte offsets into 1-based line numbers, for offsets that
// mostly grow (a streaming decoder's); it restarts when one goes back.
type lines struct {
	data []byte
	off  int
	line int
}

func newLines(data []byte) *lines { return &lines{data: data, line: 1} }

func (l *lines) at(off int) int {
	if off > len(l.data) {
		off = len(l.data)
	}
	if off < 0 {
		off = 0
	}
	if off < l.off {
		l.off, l.line = 0, 1
	}
	l.line += bytes.Count(l.data[l.off:off], []byte{'\n'})
	l.off = off
	return l.line
}
