// Package manifest is a STUB written by the depgather helper until the
// real internal/manifest (branch h15-manifest) lands; delete this file then.
package manifest

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"golang.org/x/mod/modfile"
)

type Package struct {
	Ecosystem, Name, Version, Scope string
	Line                            int
	License                         string
}

func (p Package) PURL() string {
	typ := map[string]string{"gomod": "golang", "pip": "pypi"}[p.Ecosystem]
	if typ == "" {
		typ = p.Ecosystem
	}
	name := strings.ReplaceAll(p.Name, "@", "%40")
	return "pkg:" + typ + "/" + name + "@" + p.Version
}

type Change struct {
	Package
	Previous string
}

func Recognised(p string) bool {
	switch path.Base(p) {
	case "go.mod", "package.json", "package-lock.json":
		return true
	}
	return false
}

func Companion(p string) string {
	switch path.Base(p) {
	case "package.json":
		return path.Join(path.Dir(p), "package-lock.json")
	case "package-lock.json":
		return path.Join(path.Dir(p), "package.json")
	}
	return ""
}

func Parse(p string, data []byte) ([]Package, error) {
	switch path.Base(p) {
	case "go.mod":
		f, err := modfile.Parse(p, data, nil)
		if err != nil {
			return nil, err
		}
		var out []Package
		for _, r := range f.Require {
			out = append(out, Package{Ecosystem: "gomod", Name: r.Mod.Path, Version: r.Mod.Version, Scope: "runtime", Line: r.Syntax.Start.Line})
		}
		return out, nil
	case "package.json":
		var m struct {
			Dependencies    map[string]string `json:"dependencies"`
			DevDependencies map[string]string `json:"devDependencies"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		lines := strings.Split(string(data), "\n")
		find := func(name string) int {
			for i, l := range lines {
				if strings.Contains(l, `"`+name+`"`) {
					return i + 1
				}
			}
			return 0
		}
		var out []Package
		for n, v := range m.Dependencies {
			out = append(out, Package{Ecosystem: "npm", Name: n, Version: v, Scope: "runtime", Line: find(n)})
		}
		for n, v := range m.DevDependencies {
			out = append(out, Package{Ecosystem: "npm", Name: n, Version: v, Scope: "development", Line: find(n)})
		}
		return out, nil
	case "package-lock.json":
		var m struct {
			Packages map[string]struct {
				Version string `json:"version"`
				License string `json:"license"`
				Dev     bool   `json:"dev"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		lines := strings.Split(string(data), "\n")
		var out []Package
		for k, v := range m.Packages {
			if k == "" {
				continue
			}
			name := k[strings.LastIndex(k, "node_modules/")+len("node_modules/"):]
			scope := "runtime"
			if v.Dev {
				scope = "development"
			}
			line := 0
			for i, l := range lines {
				if strings.Contains(l, `"`+k+`"`) {
					line = i + 1
				}
			}
			out = append(out, Package{Ecosystem: "npm", Name: name, Version: v.Version, Scope: scope, Line: line, License: v.License})
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a manifest", p)
}

func Changes(base, head []Package) []Change {
	was := map[string]string{}
	had := map[string]bool{}
	for _, p := range base {
		was[p.Ecosystem+" "+p.Name] = p.Version
		had[p.PURL()] = true
	}
	var out []Change
	for _, p := range head {
		if had[p.PURL()] {
			continue
		}
		out = append(out, Change{Package: p, Previous: was[p.Ecosystem+" "+p.Name]})
	}
	return out
}
