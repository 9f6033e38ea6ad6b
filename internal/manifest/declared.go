package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/pelletier/go-toml/v2"
)

// DeclaredLicense is the licence a package manifest declares for its own
// package: package.json's "license" (or the legacy "licenses" array and
// object forms; none for a "private": true package, which npm never
// publishes), Cargo.toml's [package] license (or the workspace's),
// pyproject.toml's [project] license (a PEP 639 string, or {text = …}) or
// Poetry's [tool.poetry] license, pom.xml's <licenses> (several: any of
// them, as Maven reads them), setup.cfg's [metadata] license, or a
// *.gemspec's license(s). path names the file (only its base name
// counts).
//
// expr is the declaration as an SPDX expression when it is one or names a
// well-known licence ("The Apache Software License, Version 2.0" is
// Apache-2.0); otherwise it is the text as written, which the caller
// reports as unknown. line is the 1-based line of the declaration. ok is
// false when the manifest declares no licence, or only points to a file
// (Cargo's license-file, {file = …}, npm's "SEE LICENSE IN …"). err is set
// when the manifest does not parse, or its licence field has a type the
// format does not allow.
func DeclaredLicense(path string, data []byte) (expr string, line int, ok bool, err error) {
	name := declBase(path)
	switch {
	case name == "package.json":
		return declaredNPM(data)
	case name == "Cargo.toml":
		return declaredCargo(data)
	case name == "pyproject.toml":
		return declaredPyproject(data)
	case name == "pom.xml":
		return declaredPom(data)
	case name == "setup.cfg":
		return declaredSetupCfg(data)
	case strings.HasSuffix(name, ".gemspec"):
		return declaredGemspec(data)
	}
	return "", 0, false, nil
}

func declBase(p string) string { return path.Base(strings.ReplaceAll(p, "\\", "/")) }

// declLine is the 1-based line of byte offset off in data.
func declLine(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// declaredNPM reads package.json. npm's documentation
// (https://docs.npmjs.com/cli/configuring-npm/package-json#license) asks
// for an SPDX expression, "SEE LICENSE IN <file>" or "UNLICENSED"; older
// packages wrote {"type": …, "url": …} or an array "licenses" of those.
func declaredNPM(data []byte) (string, int, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil {
		return "", 0, false, fmt.Errorf("package.json: %w", err)
	} else if d, isDelim := t.(json.Delim); !isDelim || d != '{' {
		return "", 0, false, errors.New("package.json: not a JSON object")
	}
	type field struct {
		raw  json.RawMessage
		line int
	}
	var license, licenses *field
	private := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", 0, false, fmt.Errorf("package.json: %w", err)
		}
		key, _ := t.(string)
		line := declLine(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", 0, false, fmt.Errorf("package.json: %w", err)
		}
		switch key {
		case "license":
			license = &field{raw, line}
		case "licenses":
			licenses = &field{raw, line}
		case "private":
			private = string(bytes.TrimSpace(raw)) == "true"
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", 0, false, fmt.Errorf("package.json: %w", err)
	}
	if private {
		// Never published ("private": true): its licence field, often
		// npm init's default ISC, licenses nothing; a package.json kept
		// for tooling in a project of another language is one.
		return "", 0, false, nil
	}
	if license != nil {
		expr, err := declNPMEntry(license.raw)
		if err != nil {
			return "", 0, false, fmt.Errorf("package.json: \"license\" %w", err)
		}
		if expr = strings.TrimSpace(expr); expr != "" && !strings.HasPrefix(strings.ToUpper(expr), "SEE LICENSE IN") {
			return declNormalise(expr), license.line, true, nil
		}
		if expr != "" || licenses == nil {
			return "", 0, false, nil
		}
	}
	if licenses == nil {
		return "", 0, false, nil
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(licenses.raw, &entries); err != nil {
		return "", 0, false, errors.New("package.json: \"licenses\" is not an array")
	}
	var exprs []string
	for _, e := range entries {
		expr, err := declNPMEntry(e)
		if err != nil {
			return "", 0, false, fmt.Errorf("package.json: an entry of \"licenses\" %w", err)
		}
		if expr = strings.TrimSpace(expr); expr != "" {
			exprs = append(exprs, declNormalise(expr))
		}
	}
	if len(exprs) == 0 {
		return "", 0, false, nil
	}
	return declAnyOf(exprs), licenses.line, true, nil
}

// declNPMEntry is a license string or the "type" of a {"type", "url"} object.
func declNPMEntry(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(raw, &obj); err == nil && (obj.Type != nil || bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{"))) {
		if obj.Type == nil {
			return "", nil
		}
		return *obj.Type, nil
	}
	return "", errors.New("is neither a string nor an object with a \"type\"")
}

// declAnyOf joins expressions as alternatives, grouping compound ones.
func declAnyOf(exprs []string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = e
		if strings.ContainsAny(e, " ") && !(strings.HasPrefix(e, "(") && strings.HasSuffix(e, ")")) {
			parts[i] = "(" + e + ")"
		}
	}
	return strings.Join(parts, " OR ")
}

// declaredCargo reads Cargo.toml: [package] license, inherited from
// [workspace.package] with license.workspace = true, or [workspace.package]
// license alone in a virtual workspace's root manifest. "MIT/Apache-2.0",
// which crates.io once accepted, is "MIT OR Apache-2.0".
func declaredCargo(data []byte) (string, int, bool, error) {
	var m struct {
		Package   map[string]any `toml:"package"`
		Workspace struct {
			Package map[string]any `toml:"package"`
		} `toml:"workspace"`
	}
	if err := toml.Unmarshal(data, &m); err != nil {
		return "", 0, false, fmt.Errorf("Cargo.toml: %w", err)
	}
	fromWorkspace := func() (string, int, bool, error) {
		v, ok := m.Workspace.Package["license"]
		if !ok {
			return "", 0, false, nil
		}
		s, isString := v.(string)
		if !isString {
			return "", 0, false, errors.New("Cargo.toml: [workspace.package] license is not a string")
		}
		return declCargoExpr(s), declTOMLKeyLine(data, "workspace.package", "license"), strings.TrimSpace(s) != "", nil
	}
	if m.Package == nil {
		return fromWorkspace()
	}
	switch v := m.Package["license"].(type) {
	case nil:
		return "", 0, false, nil // license-file, or nothing
	case string:
		return declCargoExpr(v), declTOMLKeyLine(data, "package", "license"), strings.TrimSpace(v) != "", nil
	case map[string]any:
		if v["workspace"] == true {
			return fromWorkspace()
		}
	}
	return "", 0, false, errors.New("Cargo.toml: [package] license is not a string")
}

func declCargoExpr(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") && !strings.Contains(s, " ") {
		s = strings.Join(strings.Split(s, "/"), " OR ")
	}
	return declNormalise(s)
}

// declaredPyproject reads pyproject.toml: [project] license, a PEP 639
// SPDX string or a PEP 621 table {text = …} ({file = …} points to a file),
// then Poetry's [tool.poetry] license.
func declaredPyproject(data []byte) (string, int, bool, error) {
	var m struct {
		Project map[string]any `toml:"project"`
		Tool    struct {
			Poetry map[string]any `toml:"poetry"`
		} `toml:"tool"`
	}
	if err := toml.Unmarshal(data, &m); err != nil {
		return "", 0, false, fmt.Errorf("pyproject.toml: %w", err)
	}
	switch v := m.Project["license"].(type) {
	case string:
		if strings.TrimSpace(v) != "" {
			return declNormalise(v), declTOMLKeyLine(data, "project", "license"), true, nil
		}
	case map[string]any:
		text, isString := v["text"].(string)
		if _, has := v["text"]; has && !isString {
			return "", 0, false, errors.New("pyproject.toml: [project] license.text is not a string")
		}
		if strings.TrimSpace(text) == "" {
			return "", 0, false, nil // {file = …}: a file, not an expression
		}
		line := declTOMLKeyLine(data, "project", "license")
		if line == 0 {
			line = declTOMLKeyLine(data, "project.license", "text")
		}
		return declNormalise(text), line, true, nil
	case nil:
	default:
		return "", 0, false, errors.New("pyproject.toml: [project] license is neither a string nor a table")
	}
	switch v := m.Tool.Poetry["license"].(type) {
	case string:
		if strings.TrimSpace(v) != "" {
			return declNormalise(v), declTOMLKeyLine(data, "tool.poetry", "license"), true, nil
		}
	case nil:
	default:
		return "", 0, false, errors.New("pyproject.toml: [tool.poetry] license is not a string")
	}
	return "", 0, false, nil
}

var declTOMLHeaderRE = regexp.MustCompile(`^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$`)

// declTOMLKeyLine is the line of key in table (dotted, e.g. "tool.poetry"), 0
// when not found (a key written some other way: the line is a courtesy).
func declTOMLKeyLine(data []byte, table, key string) int {
	keyRE := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(key) + `"?\s*[=.]`)
	current := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if m := declTOMLHeaderRE.FindStringSubmatch(text); m != nil {
			current = strings.NewReplacer(" ", "", "\t", "", `"`, "", "'", "").Replace(m[1])
			continue
		}
		if current == table && keyRE.MatchString(text) {
			return n
		}
	}
	return 0
}

// declaredPom reads pom.xml's /project/licenses/license: each one's name
// (or, without one, its URL), any of them (Maven: "If multiple licenses
// are listed, it is assumed that the user can select any of them").
func declaredPom(data []byte) (string, int, bool, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // names are ASCII
	var stack []string
	var exprs []string
	first := 0
	var name, url string
	licenseLine := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, false, fmt.Errorf("pom.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			line, _ := dec.InputPos()
			switch strings.Join(stack, "/") {
			case "project/licenses/license":
				name, url, licenseLine = "", "", line
			case "project/licenses/license/name", "project/licenses/license/url":
				var text string
				if err := dec.DecodeElement(&text, &t); err != nil {
					return "", 0, false, fmt.Errorf("pom.xml: %w", err)
				}
				stack = stack[:len(stack)-1]
				if t.Name.Local == "name" {
					name, licenseLine = strings.TrimSpace(text), line
				} else {
					url = strings.TrimSpace(text)
				}
			}
		case xml.EndElement:
			if strings.Join(stack, "/") == "project/licenses/license" {
				expr := declNormalise(name)
				if name == "" {
					expr = declLicenseURL(url)
				}
				if expr != "" {
					exprs = append(exprs, expr)
					if first == 0 {
						first = licenseLine
					}
				}
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(exprs) == 0 {
		return "", 0, false, nil
	}
	return declAnyOf(exprs), first, true, nil
}

// declLicenseURL is the licence a well-known licence URL names, or "".
func declLicenseURL(u string) string {
	u = strings.ToLower(u)
	switch {
	case strings.Contains(u, "apache.org/licenses/license-2.0"):
		return "Apache-2.0"
	case strings.Contains(u, "opensource.org/licenses/mit"):
		return "MIT"
	case strings.Contains(u, "eclipse.org/legal/epl-v10"):
		return "EPL-1.0"
	case strings.Contains(u, "eclipse.org/legal/epl-2.0"), strings.Contains(u, "eclipse.org/legal/epl-v20"):
		return "EPL-2.0"
	case strings.Contains(u, "mozilla.org/mpl/2.0"):
		return "MPL-2.0"
	}
	return ""
}

// declaredSetupCfg reads setup.cfg's [metadata] license (configparser
// syntax: "key = value" or "key: value", indented continuation lines).
func declaredSetupCfg(data []byte) (string, int, bool, error) {
	section, value, line := "", "", 0
	inLicense := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		indented := trimmed != "" && (text[0] == ' ' || text[0] == '\t')
		if indented && inLicense {
			value += " " + trimmed
			continue
		}
		inLicense = false
		if indented || trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue // another key's continuation, a blank line or a comment
		}
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			section = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			continue
		}
		i := strings.IndexAny(trimmed, "=:")
		if i < 0 || section != "metadata" {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(trimmed[:i]), "license") {
			value, line, inLicense = strings.TrimSpace(trimmed[i+1:]), n, true
		}
	}
	value = strings.TrimSpace(value)
	if value == "" || strings.HasPrefix(value, "file:") {
		return "", 0, false, nil
	}
	return declNormalise(value), line, true, nil
}

var (
	declGemspecRE = regexp.MustCompile(`(?m)^\s*\w+\.licen[cs]es?\s*=\s*(.*)$`)
	declQuotedRE  = regexp.MustCompile(`"([^"]*)"|'([^']*)'`)
)

// declaredGemspec reads `spec.license = "MIT"` or `spec.licenses = [...]`
// from a gemspec (Ruby: only literal strings are read).
func declaredGemspec(data []byte) (string, int, bool, error) {
	loc := declGemspecRE.FindSubmatchIndex(data)
	if loc == nil {
		return "", 0, false, nil
	}
	var exprs []string
	for _, m := range declQuotedRE.FindAllStringSubmatch(string(data[loc[2]:loc[3]]), -1) {
		if s := strings.TrimSpace(m[1] + m[2]); s != "" {
			exprs = append(exprs, declNormalise(s))
		}
	}
	if len(exprs) == 0 {
		return "", 0, false, nil
	}
	return declAnyOf(exprs), declLine(data, int64(loc[0])) + declLeadingNewlines(data[loc[0]:loc[1]]), true, nil
}

func declLeadingNewlines(b []byte) int {
	n := 0
	for _, c := range b {
		if c != '\n' {
			break
		}
		n++
	}
	return n
}

// declNormalise is s when it is an SPDX expression, otherwise the SPDX id of
// the well-known licence it names, otherwise s as written.
func declNormalise(s string) string {
	s = strings.TrimSpace(s)
	if declIsSPDX(s) {
		return s
	}
	return declLicenseName(s)
}

func declIsSPDX(s string) bool {
	if s == "" {
		return false
	}
	_, err := spdxexp.ExtractLicenses(s)
	return err == nil
}

var (
	declNameCleanRE = regexp.MustCompile(`["(),]+`)
	declSpacesRE    = regexp.MustCompile(`\s+`)
	declVersionRE   = regexp.MustCompile(`(\d)(?:\.(\d))?`)
)

// declLicenseNames are well-known licence names, cleaned (lower case, no
// punctuation but "." "-" "+", no leading "the"), by pattern.
var declLicenseNames = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^mit( license)?( mit)?$|^expat( license)?$`), "MIT"},
	{regexp.MustCompile(`^(apache|asl)\b.*\b(2\.0|v2|2)\b|^apache2$|^apache software license$|^apache license$`), "Apache-2.0"},
	{regexp.MustCompile(`\bbsd\b.*\b3\b.*clause|\b3-clause bsd\b|^new bsd|^revised bsd|^modified bsd`), "BSD-3-Clause"},
	{regexp.MustCompile(`\bbsd\b.*\b2\b.*clause|\b2-clause bsd\b|^simplified bsd|^freebsd`), "BSD-2-Clause"},
	{regexp.MustCompile(`^isc( license)?$`), "ISC"},
	{regexp.MustCompile(`^(eclipse public license|epl)\b.*\b1\.0$|^epl-?1\.0$`), "EPL-1.0"},
	{regexp.MustCompile(`^(eclipse public license|epl)\b.*\b2\.0$|^epl-?2\.0$`), "EPL-2.0"},
	{regexp.MustCompile(`^(mozilla public license|mpl)\b.*\b2\.0$|^mpl-?2\.0$`), "MPL-2.0"},
	{regexp.MustCompile(`^unlicense$`), "Unlicense"},
	{regexp.MustCompile(`^cc0\b`), "CC0-1.0"},
	{regexp.MustCompile(`^zlib( license)?$`), "Zlib"},
	{regexp.MustCompile(`^boost software license.*1\.0$`), "BSL-1.0"},
}

// declLicenseName is the SPDX id of a well-known licence name ("The Apache
// Software License, Version 2.0", "GNU General Public License v3
// (GPLv3)"), or name itself when it names none for certain ("BSD": which
// one?).
func declLicenseName(name string) string {
	if declIsSPDX(name) {
		return name
	}
	clean := strings.ToLower(declNameCleanRE.ReplaceAllString(name, " "))
	clean = strings.TrimSpace(declSpacesRE.ReplaceAllString(clean, " "))
	clean = strings.TrimPrefix(clean, "the ")
	for _, n := range declLicenseNames {
		if n.re.MatchString(clean) {
			return n.id
		}
	}
	if id := declGNUName(clean); id != "" {
		return id
	}
	return name
}

// declGNUName reads the GNU licences' names: GPL, LGPL, AGPL, with their
// version and "or later" ("-only" otherwise).
func declGNUName(clean string) string {
	family := ""
	switch {
	case strings.Contains(clean, "affero") || strings.Contains(clean, "agpl"):
		family = "AGPL"
	case strings.Contains(clean, "lesser") || strings.Contains(clean, "library general") || strings.Contains(clean, "lgpl"):
		family = "LGPL"
	case strings.Contains(clean, "general public license") || strings.Contains(clean, "gpl"):
		family = "GPL"
	default:
		return ""
	}
	m := declVersionRE.FindStringSubmatch(clean)
	if m == nil {
		return ""
	}
	version := m[1] + ".0"
	if m[2] != "" {
		version = m[1] + "." + m[2]
	}
	switch family + "-" + version {
	case "GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-3.0":
	default:
		return ""
	}
	if strings.Contains(clean, "or later") || strings.Contains(clean, "+") || strings.Contains(clean, "or-later") {
		return family + "-" + version + "-or-later"
	}
	return family + "-" + version + "-only"
}
