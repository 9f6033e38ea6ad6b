package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// jsonFile walks a JSON document token by token, keeping the line of each
// object key it reads.
type jsonFile struct {
	file  string
	dec   *json.Decoder
	lines *lines
}

// newJSONFile starts reading data.
func newJSONFile(file string, data []byte) (*jsonFile, error) {
	j := &jsonFile{file: file, lines: newLines(data)}
	j.dec = json.NewDecoder(bytes.NewReader(data))
	j.dec.UseNumber()
	return j, nil
}

// syntaxError locates a syntax error the streaming decoder met: its
// offsets are neither absolute nor relative to the value being read,
// while Unmarshal's are absolute, so the document is scanned again (only
// when it is broken).
func (j *jsonFile) syntaxError(err error) error {
	var raw json.RawMessage
	uerr := json.Unmarshal(j.lines.data, &raw)
	var syn *json.SyntaxError
	switch {
	case errors.As(uerr, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input"):
		return j.eof()
	case errors.As(uerr, &syn) && syn.Offset > 0 && int(syn.Offset) <= len(j.lines.data):
		return errorf(j.file, j.lines.at(int(syn.Offset)-1), "invalid JSON: %s", syn.Error())
	case uerr != nil:
		return errorf(j.file, 0, "invalid JSON: %v", uerr)
	}
	return errorf(j.file, j.lines.at(int(j.dec.InputOffset())), "invalid JSON: %v", err)
}

// eof is the error of a document that ends too soon, on its last line
// with something on it.
func (j *jsonFile) eof() error {
	end := len(bytes.TrimRight(j.lines.data, " \t\r\n"))
	return errorf(j.file, j.lines.at(end), "invalid JSON: unexpected end of file")
}

// fail turns an error of a read that started at offset start into an
// *Error with its line: a value of the wrong type (whose offset counts
// from just past the key's colon), else a syntax error.
func (j *jsonFile) fail(err error, start int64) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return errorf(j.file, j.lines.at(int(start+1+typ.Offset)), "%q is a JSON %s, want %s", field, typ.Value, typ.Type)
	}
	return j.syntaxError(err)
}

// token reads the next token.
func (j *jsonFile) token() (json.Token, error) {
	start := j.dec.InputOffset()
	t, err := j.dec.Token()
	if err != nil {
		return nil, j.fail(err, start)
	}
	return t, nil
}

// decode reads the next value into v.
func (j *jsonFile) decode(v any) error {
	start := j.dec.InputOffset()
	if err := j.dec.Decode(v); err != nil {
		return j.fail(err, start)
	}
	return nil
}

// object reads an object, calling fn with each key and the key's line;
// fn must consume the key's value (j.skip, j.decode, j.object...).
// what names the object in errors.
func (j *jsonFile) object(what string, fn func(key string, line int) error) error {
	line := j.lines.at(int(j.dec.InputOffset()))
	t, err := j.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return errorf(j.file, line, "%s is %s, want an object", what, describe(t))
	}
	for j.dec.More() {
		t, err := j.token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok {
			return errorf(j.file, j.lines.at(int(j.dec.InputOffset())), "invalid JSON: want a key in %s", what)
		}
		// The decoder stands right after the key: its line.
		if err := fn(key, j.lines.at(int(j.dec.InputOffset()))); err != nil {
			return err
		}
	}
	if _, err := j.token(); err != nil { // '}'
		return err
	}
	return nil
}

// skip reads and drops one value.
func (j *jsonFile) skip() error {
	depth := 0
	for {
		t, err := j.token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// str reads a string value (what names it in errors).
func (j *jsonFile) str(what string) (string, error) {
	line := j.lines.at(int(j.dec.InputOffset()))
	t, err := j.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		if d, isDelim := t.(json.Delim); isDelim && (d == '{' || d == '[') {
			// Consume the rest of it to keep the stream whole.
			depth := 1
			for depth > 0 {
				t, err := j.token()
				if err != nil {
					return "", err
				}
				if d, ok := t.(json.Delim); ok {
					if d == '{' || d == '[' {
						depth++
					} else {
						depth--
					}
				}
			}
		}
		return "", errorf(j.file, line, "%s is %s, want a string", what, describe(t))
	}
	return s, nil
}

// end checks nothing follows the document.
func (j *jsonFile) end() error {
	if _, err := j.dec.Token(); !errors.Is(err, io.EOF) {
		return j.syntaxError(err)
	}
	return nil
}

func describe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		if v == '{' {
			return "an object"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "not a value"
}

// npmSections are package.json's dependency objects and their scopes.
var npmSections = map[string]string{
	"dependencies":         Runtime,
	"optionalDependencies": Runtime,
	"peerDependencies":     Runtime,
	"devDependencies":      Development,
}

// parsePackageJSON reads package.json's dependencies, optionalDependencies
// and peerDependencies (runtime) and devDependencies (development). A
// version is kept only when exact ("1.2.3", "=1.2.3", "v1.2.3"); a range,
// tag, URL or path gives Version "" and the text as Requirement. An
// "npm:other@1.2.3" alias names the package it installs.
func parsePackageJSON(file string, data []byte) ([]Package, error) {
	j, err := newJSONFile(file, data)
	if err != nil {
		return nil, err
	}
	var out []Package
	err = j.object("package.json", func(key string, _ int) error {
		scope, ok := npmSections[key]
		if !ok {
			return j.skip()
		}
		return j.object(fmt.Sprintf("%q", key), func(name string, line int) error {
			spec, err := j.str(fmt.Sprintf("the version of %q", name))
			if err != nil {
				return err
			}
			p := Package{Ecosystem: NPM, Name: name, Scope: scope, Line: line}
			p.Name, p.Version, p.Requirement = npmSpec(name, spec)
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if err := j.end(); err != nil {
		return nil, err
	}
	return out, nil
}

var semverExact = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// npmSpec splits a package.json version spec: the package name it
// installs, its exact version or "" and, without one, the requirement.
func npmSpec(name, spec string) (string, string, string) {
	s := strings.TrimSpace(spec)
	if rest, ok := strings.CutPrefix(s, "npm:"); ok {
		// npm:real-name@spec (real-name may be @scope/name).
		at := strings.LastIndex(rest, "@")
		if at > 0 {
			name, s = rest[:at], rest[at+1:]
		} else {
			return rest, "", ""
		}
	}
	v := strings.TrimPrefix(strings.TrimPrefix(s, "="), "v")
	if semverExact.MatchString(v) {
		return name, v, ""
	}
	return name, "", spec
}

// lockEntry is one package-lock.json "packages" entry (v2, v3).
type lockEntry struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Dev         bool   `json:"dev"`
	DevOptional bool   `json:"devOptional"`
	Link        bool   `json:"link"`
	License     any    `json:"license"`
}

// parsePackageLock reads package-lock.json or npm-shrinkwrap.json: the
// "packages" map of lockfileVersion 2 and 3 (every node_modules/…
// path, nested too; links and the project's own workspace folders
// skipped), else version 1's nested "dependencies" tree. dev and
// devOptional give development, else runtime; "license" is kept.
func parsePackageLock(file string, data []byte) ([]Package, error) {
	j, err := newJSONFile(file, data)
	if err != nil {
		return nil, err
	}
	var packages, legacy []Package
	sawPackages := false
	err = j.object("package-lock.json", func(key string, _ int) error {
		switch key {
		case "packages":
			sawPackages = true
			return j.object(`"packages"`, func(path string, line int) error {
				var e lockEntry
				if err := j.decode(&e); err != nil {
					return err
				}
				name, ok := lockPackageName(path, e.Name)
				if !ok || e.Link {
					return nil
				}
				p := Package{Ecosystem: NPM, Name: name, Version: e.Version, Scope: Runtime, Line: line, License: npmLicense(e.License)}
				if e.Dev || e.DevOptional {
					p.Scope = Development
				}
				packages = append(packages, p)
				return nil
			})
		case "dependencies":
			if sawPackages {
				return j.skip() // v2 keeps both; "packages" says it all
			}
			return j.legacyDependencies(`"dependencies"`, 0, &legacy)
		}
		return j.skip()
	})
	if err != nil {
		return nil, err
	}
	if err := j.end(); err != nil {
		return nil, err
	}
	if sawPackages {
		return packages, nil
	}
	return legacy, nil
}

// lockPackageName is the package a "packages" key installs: the part
// after its last "node_modules/", unless the entry names another (an
// alias). Keys outside node_modules (the root "", workspace folders) are
// the project's own.
func lockPackageName(path, name string) (string, bool) {
	i := strings.LastIndex(path, "node_modules/")
	if i < 0 || (i > 0 && path[i-1] != '/') {
		return "", false
	}
	p := path[i+len("node_modules/"):]
	if name != "" {
		p = name
	}
	return p, p != ""
}

// npmLicense reads "license": an SPDX string, or the old {"type": …}.
func npmLicense(v any) string {
	switch l := v.(type) {
	case string:
		return l
	case map[string]any:
		if t, ok := l["type"].(string); ok {
			return t
		}
	}
	return ""
}

// maxDepth bounds nested trees (lockfile v1 "dependencies").
const maxDepth = 256

// legacyDependencies reads lockfile v1's {"name": {"version", "dev",
// "dependencies": {…}}} tree.
func (j *jsonFile) legacyDependencies(what string, depth int, out *[]Package) error {
	if depth > maxDepth {
		return errorf(j.file, j.lines.at(int(j.dec.InputOffset())), "dependencies nested more than %d deep", maxDepth)
	}
	return j.object(what, func(name string, line int) error {
		p := Package{Ecosystem: NPM, Name: name, Scope: Runtime, Line: line}
		at := len(*out)
		*out = append(*out, p)
		return j.object(fmt.Sprintf("%q", name), func(key string, _ int) error {
			e := &(*out)[at]
			switch key {
			case "version":
				v, err := j.str(fmt.Sprintf("the version of %q", name))
				if err != nil {
					return err
				}
				// "npm:real@1.2.3" for an alias.
				if rest, ok := strings.CutPrefix(v, "npm:"); ok {
					if i := strings.LastIndex(rest, "@"); i > 0 {
						e.Name, v = rest[:i], rest[i+1:]
					}
				}
				e.Version = v
				return nil
			case "dev":
				var dev bool
				if err := j.decode(&dev); err != nil {
					return err
				}
				if dev {
					e.Scope = Development
				}
				return nil
			case "dependencies":
				return j.legacyDependencies(fmt.Sprintf("the dependencies of %q", name), depth+1, out)
			}
			return j.skip()
		})
	})
}
