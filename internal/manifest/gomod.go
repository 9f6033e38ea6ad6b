package manifest

import (
	"errors"
	"strings"

	"golang.org/x/mod/modfile"
)

// parseGoMod reads a go.mod's require lines, direct and indirect (both
// runtime: Go has no development scope). A replace directive that names
// another module version applies (the entry takes the replacement's path,
// version and line); one that names a directory drops the module, whose
// code then lives in the repository, not in a fetched dependency.
func parseGoMod(file string, data []byte) ([]Package, error) {
	f, err := modfile.Parse(file, data, nil)
	if err != nil {
		return nil, goModError(file, err)
	}
	type target struct {
		path, version string
		line          int
		local         bool
	}
	all := map[string]target{}      // replace old => new, any version
	exact := map[[2]string]target{} // replace old@v => new
	for _, r := range f.Replace {
		t := target{path: r.New.Path, version: r.New.Version, local: r.New.Version == ""}
		if r.Syntax != nil {
			t.line = r.Syntax.Start.Line
		}
		if r.Old.Version == "" {
			all[r.Old.Path] = t
		} else {
			exact[[2]string{r.Old.Path, r.Old.Version}] = t
		}
	}
	out := make([]Package, 0, len(f.Require))
	for _, r := range f.Require {
		p := Package{Ecosystem: GoMod, Name: r.Mod.Path, Version: r.Mod.Version, Scope: Runtime}
		if r.Syntax != nil {
			p.Line = r.Syntax.Start.Line
		}
		t, ok := exact[[2]string{r.Mod.Path, r.Mod.Version}]
		if !ok {
			t, ok = all[r.Mod.Path]
		}
		if ok {
			if t.local {
				continue
			}
			p.Name, p.Version, p.Line = t.path, t.version, t.line
		}
		out = append(out, p)
	}
	return out, nil
}

// goModError keeps modfile's first "file:line: problem".
func goModError(file string, err error) error {
	var list modfile.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		e := list[0]
		msg := "invalid"
		if e.Err != nil {
			msg = e.Err.Error()
		}
		if e.Verb != "" {
			msg = e.Verb + ": " + msg
		}
		return &Error{Path: file, Line: e.Pos.Line, Msg: msg}
	}
	msg := err.Error()
	// modfile's other errors already start with "file:line: ".
	msg = strings.TrimPrefix(msg, file+":")
	return &Error{Path: file, Msg: strings.TrimSpace(msg)}
}
