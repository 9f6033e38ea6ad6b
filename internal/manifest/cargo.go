package manifest

import "strings"

type cargoLockFile struct {
	Package []struct {
		Name    string `toml:"name"`
		Version string `toml:"version"`
		Source  string `toml:"source"`
	} `toml:"package"`
}

// parseCargoLock reads Cargo.lock's [[package]] entries that come from
// somewhere (a registry or git: they have a source); those without are
// the workspace's own crates. Cargo.lock does not say which are
// development dependencies: scope unknown.
func parseCargoLock(file string, data []byte) ([]Package, error) {
	var f cargoLockFile
	at, err := decodeTOML(file, data, &f)
	if err != nil {
		return nil, err
	}
	var out []Package
	for i, e := range f.Package {
		line := at[tomlPath("package", index(i))]
		if e.Name == "" || e.Version == "" {
			return nil, errorf(file, line, "a [[package]] without a name or version")
		}
		if e.Source == "" {
			continue
		}
		out = append(out, Package{Ecosystem: Cargo, Name: e.Name, Version: e.Version, Scope: Unknown, Line: line})
	}
	return out, nil
}

type cargoTarget struct {
	Dependencies       map[string]any `toml:"dependencies"`
	DevDependencies    map[string]any `toml:"dev-dependencies"`
	DevDependencies2   map[string]any `toml:"dev_dependencies"`
	BuildDependencies  map[string]any `toml:"build-dependencies"`
	BuildDependencies2 map[string]any `toml:"build_dependencies"`
}

type cargoTOMLFile struct {
	cargoTarget
	Target    map[string]cargoTarget `toml:"target"`
	Workspace struct {
		Dependencies map[string]any `toml:"dependencies"`
	} `toml:"workspace"`
}

// parseCargoTOML reads Cargo.toml's [dependencies] (runtime),
// [dev-dependencies] and [build-dependencies] (development), the same
// under [target.<cfg>], and [workspace.dependencies] (unknown: members
// choose). Crates by path (with a version or not) are the workspace's own and
// skipped; a
// version is exact only as "=1.2.3" (Cargo reads "1.2.3" as ^1.2.3); a
// renamed dependency (package = "…") names the crate it installs.
func parseCargoTOML(file string, data []byte) ([]Package, error) {
	var f cargoTOMLFile
	at, err := decodeTOML(file, data, &f)
	if err != nil {
		return nil, err
	}
	var out []Package
	add := func(scope string, deps map[string]any, where ...string) {
		for key, spec := range deps {
			p := Package{Ecosystem: Cargo, Name: key, Scope: scope, Line: at[tomlPath(append(where, key)...)]}
			var req string
			switch s := spec.(type) {
			case string:
				req = s
			case map[string]any:
				if _, local := s["path"]; local {
					continue // the workspace's own crate
				}
				if name, ok := s["package"].(string); ok && name != "" {
					p.Name = name
				}
				if v, ok := s["version"].(string); ok {
					req = v
				} else if g, ok := s["git"].(string); ok {
					req = g
				} else if w, ok := s["workspace"].(bool); ok && w {
					req = "workspace"
				}
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(req), "="); ok && semverExact.MatchString(strings.TrimSpace(v)) {
				p.Version = strings.TrimSpace(v)
			} else {
				p.Requirement = req
			}
			out = append(out, p)
		}
	}
	section := func(t cargoTarget, prefix ...string) {
		add(Runtime, t.Dependencies, append(prefix, "dependencies")...)
		add(Development, t.DevDependencies, append(prefix, "dev-dependencies")...)
		add(Development, t.DevDependencies2, append(prefix, "dev_dependencies")...)
		add(Development, t.BuildDependencies, append(prefix, "build-dependencies")...)
		add(Development, t.BuildDependencies2, append(prefix, "build_dependencies")...)
	}
	section(f.cargoTarget)
	for cfg, t := range f.Target {
		section(t, "target", cfg)
	}
	add(Unknown, f.Workspace.Dependencies, "workspace", "dependencies")
	sortByLine(out)
	return out, nil
}
