package manifest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

type pomDependency struct {
	group, artifact, version, scope string
	line                            int
}

// parsePOM reads pom.xml's <dependencies> (the project's and its
// profiles'; not <dependencyManagement>, not plugins'): test and provided
// scopes are development, the others runtime. "${name}" in a version is
// resolved from <properties> and ${project.version}/${project.groupId}
// (the parent's when the project has none); a dependency without a
// version takes the one its own <dependencyManagement> gives; what stays
// unresolved, or a version range, gives Version "" and the text as
// Requirement.
func parsePOM(file string, data []byte) ([]Package, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = latin1
	var stack []string
	var text strings.Builder
	props := map[string]string{}
	var deps, managed []pomDependency
	var cur *pomDependency
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			return nil, errorf(file, line, "invalid XML: %v", strings.TrimPrefix(err.Error(), "XML syntax error on line "))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxDepth {
				line, _ := dec.InputPos()
				return nil, errorf(file, line, "elements nested more than %d deep", maxDepth)
			}
			stack = append(stack, t.Name.Local)
			text.Reset()
			if t.Name.Local == "dependency" && isDependencies(stack[:len(stack)-1]) {
				line, _ := dec.InputPos()
				cur = &pomDependency{line: line}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(stack) == 0 {
				break
			}
			name := stack[len(stack)-1]
			parent := stack[:len(stack)-1]
			value := strings.TrimSpace(text.String())
			switch {
			case cur != nil && len(parent) > 0 && parent[len(parent)-1] == "dependency" && isDependencies(parent[:len(parent)-1]):
				switch name {
				case "groupId":
					cur.group = value
				case "artifactId":
					cur.artifact = value
				case "version":
					cur.version = value
				case "scope":
					cur.scope = value
				}
			case name == "dependency" && cur != nil && isDependencies(parent):
				if managedDependencies(parent) {
					managed = append(managed, *cur)
				} else {
					deps = append(deps, *cur)
				}
				cur = nil
			case len(parent) == 2 && parent[0] == "project" && parent[1] == "properties":
				props[name] = value
			case len(parent) == 1 && parent[0] == "project":
				switch name {
				case "version", "groupId", "artifactId":
					props["project."+name] = value
				}
			case len(parent) == 2 && parent[0] == "project" && parent[1] == "parent":
				switch name {
				case "version", "groupId":
					props["project.parent."+name] = value
				}
			}
			stack = parent
			text.Reset()
		}
	}
	for _, k := range []string{"version", "groupId"} {
		if props["project."+k] == "" && props["project.parent."+k] != "" {
			props["project."+k] = props["project.parent."+k]
		}
		props["pom."+k] = props["project."+k]
		if k == "version" {
			props["version"] = props["project.version"]
		}
	}
	resolve := func(s string) string { return pomResolve(s, props) }
	versionOf := map[string]string{}
	for _, m := range managed {
		key := resolve(m.group) + ":" + resolve(m.artifact)
		if _, ok := versionOf[key]; !ok {
			versionOf[key] = m.version
		}
	}
	out := make([]Package, 0, len(deps))
	for _, d := range deps {
		name := resolve(d.group) + ":" + resolve(d.artifact)
		if d.artifact == "" {
			return nil, errorf(file, d.line, "a <dependency> without an <artifactId>")
		}
		raw := d.version
		if raw == "" {
			raw = versionOf[name]
		}
		p := Package{Ecosystem: Maven, Name: name, Scope: Runtime, Line: d.line}
		switch strings.TrimSpace(resolve(d.scope)) {
		case "test", "provided":
			p.Scope = Development
		}
		v := resolve(raw)
		if v == "" || strings.Contains(v, "${") || strings.ContainsAny(v[:1], "[(") {
			p.Requirement = raw
		} else {
			p.Version = v
		}
		out = append(out, p)
	}
	return out, nil
}

// isDependencies says whether an element path ends in a <dependencies>
// the project declares: project/dependencies,
// project/profiles/profile/dependencies, or in <dependencyManagement>
// (kept apart by managedDependencies). Plugins' dependencies are not.
func isDependencies(path []string) bool {
	switch {
	case len(path) == 2:
		return path[0] == "project" && path[1] == "dependencies"
	case len(path) == 3:
		return path[0] == "project" && path[1] == "dependencyManagement" && path[2] == "dependencies"
	case len(path) == 4:
		return path[0] == "project" && path[1] == "profiles" && path[2] == "profile" && path[3] == "dependencies"
	case len(path) == 5:
		return path[0] == "project" && path[1] == "profiles" && path[2] == "profile" && path[3] == "dependencyManagement" && path[4] == "dependencies"
	}
	return false
}

func managedDependencies(path []string) bool {
	return len(path) >= 2 && path[len(path)-2] == "dependencyManagement"
}

// pomResolve replaces each ${name} it knows, a few levels deep (a
// property may name another); unknown ones stay.
func pomResolve(s string, props map[string]string) string {
	for range 8 {
		if !strings.Contains(s, "${") {
			return s
		}
		var b strings.Builder
		rest := s
		changed := false
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				b.WriteString(rest)
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:i])
			name := rest[i+2 : i+j]
			if v, ok := props[name]; ok {
				b.WriteString(v)
				changed = true
			} else {
				b.WriteString(rest[i : i+j+1])
			}
			rest = rest[i+j+1:]
		}
		s = b.String()
		if !changed || len(s) > 4096 {
			return s
		}
	}
	return s
}

// latin1 reads the single-byte charsets a pom.xml may declare
// (ISO-8859-1, US-ASCII; Windows-1252 read as ISO-8859-1) as UTF-8.
func latin1(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252", "cp1252":
	default:
		return nil, errors.New("unsupported encoding " + charset + ": want UTF-8 or ISO-8859-1")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	out.Grow(len(b))
	for _, c := range b {
		out.WriteRune(rune(c))
	}
	return strings.NewReader(out.String()), nil
}
