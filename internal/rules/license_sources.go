package rules

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// A repository says what its licence is in several places: the text of
// its root licence files, an SPDX-License-Identifier line in them, REUSE's
// LICENSES/ directory (one text per licence, named by its SPDX id), and
// the licence fields of its root package manifests. This file reads them
// and finds where they disagree; a disagreement fails the license rule
// (see the README's repository.license section for why).

// manifestNames are the root package manifests whose licence field the
// license rule reads (internal/manifest.DeclaredLicense parses them), and
// *.gemspec.
var manifestNames = []string{"package.json", "Cargo.toml", "pyproject.toml", "pom.xml", "setup.cfg"}

func isManifest(name string) bool {
	return slices.Contains(manifestNames, name) || strings.HasSuffix(name, ".gemspec") && len(name) > len(".gemspec")
}

// ManifestFiles lists the root package manifests among paths (as
// Snapshot.Paths lists them) whose declared licence the license rule
// compares with the licence files: the gatherer reads these.
func ManifestFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if !strings.Contains(p, "/") && isManifest(p) {
			out = append(out, p)
		}
	}
	return out
}

// ReuseDir is REUSE's directory of licence texts, each file named by its
// SPDX id (https://reuse.software/spec-3.3/#license-files).
const ReuseDir = "LICENSES"

func reuseFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if name, ok := strings.CutPrefix(p, ReuseDir+"/"); ok && name != "" && !strings.Contains(name, "/") {
			out = append(out, p)
		}
	}
	slices.Sort(out) // as git lists a tree; whatever order Paths has
	return out
}

// reuseID is the licence a LICENSES/ file is named by: its name without
// its extension ("LICENSES/Apache-2.0.txt": Apache-2.0).
func reuseID(p string) string {
	name := path.Base(p)
	if i := strings.LastIndex(name, "."); i > 0 {
		name = name[:i]
	}
	return name
}

// spdxLineRE is an SPDX-License-Identifier line, possibly in a comment.
var spdxLineRE = regexp.MustCompile(`(?m)^[^\S\n]*(?:#+|//+|/\*+|\*+|<!--|;+|--|\.\.)?[^\S\n]*SPDX-License-Identifier:[^\S\n]*(.*?)[^\S\n]*(?:\*/|-->)?[^\S\n]*$`)

// spdxIdentifier finds the SPDX-License-Identifier line of a licence
// file: the expression it declares and its 1-based line.
func spdxIdentifier(text string) (expr string, line int, ok bool) {
	if !strings.Contains(text, "SPDX-License-Identifier:") {
		return "", 0, false // most licence files: no regexp over the whole text
	}
	loc := spdxLineRE.FindStringSubmatchIndex(text)
	if loc == nil {
		return "", 0, false
	}
	return strings.TrimSpace(text[loc[2]:loc[3]]), strings.Count(text[:loc[0]], "\n") + 1, true
}

// licenseText is a licence file's text without its SPDX-License-Identifier
// lines: they declare the licence, they are not part of its text.
func licenseText(text string) string {
	if !strings.Contains(text, "SPDX-License-Identifier:") {
		return text
	}
	return spdxLineRE.ReplaceAllString(text, "")
}

// declaration is a source that declares the licence as an expression: an
// SPDX-License-Identifier line of a licence file, or a manifest's field.
type declaration struct {
	where string // Markdown: "`package.json` (line 15)"
	file  string
	line  int
	expr  string // as declared
	field string // Markdown: what to edit, "the license field of `package.json` (line 15)"
	// ids are the licences the expression names (go-spdx, normalised,
	// sorted); nil when it is not an SPDX expression (problem says so).
	ids     []string
	problem string
	// ownText: an SPDX line of one of several licence files, compared
	// with that file's text only (LICENSE-MIT says MIT, LICENSE-APACHE
	// Apache-2.0: neither is the whole project's licence).
	ownText []string
	single  bool // an SPDX line of the only licence file
}

// maxShown bounds a declared value quoted in a message (a setup.cfg may
// hold a whole licence text as its "license").
const maxShown = 80

func shownExpr(expr string) string {
	if r := []rune(expr); len(r) > maxShown {
		expr = string(r[:maxShown]) + "…"
	}
	return inert.Code(expr)
}

func readDeclaration(where, file string, line int, expr, field string) declaration {
	d := declaration{where: where, file: file, line: line, expr: expr, field: field}
	ids, err := spdxexp.ExtractLicenses(expr)
	switch {
	case err == nil && len(ids) > 0:
		slices.Sort(ids)
		d.ids = ids
	case noLicense(expr):
		d.problem = fmt.Sprintf("%s declares %s: no open-source licence", where, shownExpr(expr))
	default:
		d.problem = fmt.Sprintf("%s declares %s, which is not an SPDX licence expression", where, shownExpr(expr))
	}
	return d
}

// noLicense: npm's UNLICENSED, Poetry's Proprietary, SPDX's NONE.
func noLicense(expr string) bool {
	switch strings.ToUpper(strings.TrimSpace(expr)) {
	case "UNLICENSED", "PROPRIETARY", "NONE":
		return true
	}
	return false
}

// keys are the licences (without exceptions) a declaration names, to
// compare with licence texts: "GPL-2.0-only WITH Classpath-exception-2.0"
// is the GPL-2.0 text.
func (d declaration) keys() []string {
	var out []string
	for _, id := range d.ids {
		lic, _, _ := strings.Cut(id, " WITH ")
		out = appendNew(out, lic)
	}
	return out
}

// maxChoiceIDs bounds the licences of an expression whose choices are
// enumerated (2^n go-spdx evaluations).
const maxChoiceIDs = 8

// choices are the least sets of licences under which the expression may
// be used, by go-spdx's Satisfies: "MIT OR Apache-2.0" is {MIT},
// {Apache-2.0}; "MIT AND Apache-2.0" is {Apache-2.0, MIT}.
func (d declaration) choices() [][]string {
	if len(d.ids) > maxChoiceIDs {
		return [][]string{d.ids}
	}
	var out [][]string
	n := len(d.ids)
	for size := 1; size <= n; size++ {
		for mask := 1; mask < 1<<n; mask++ {
			if bitsSet(mask) != size {
				continue
			}
			var set []string
			for i := range n {
				if mask&(1<<i) != 0 {
					set = append(set, d.ids[i])
				}
			}
			if slices.ContainsFunc(out, func(c []string) bool { return subset(c, set) }) {
				continue
			}
			if ok, err := spdxexp.Satisfies(d.expr, set); err == nil && ok {
				out = append(out, set)
			}
		}
	}
	return out
}

func bitsSet(m int) int {
	n := 0
	for ; m > 0; m &= m - 1 {
		n++
	}
	return n
}

func subset(small, big []string) bool {
	for _, x := range small {
		if !slices.Contains(big, x) {
			return false
		}
	}
	return true
}

// beyond lists the choices of a that b does not allow (go-spdx semantics:
// "Apache-2.0 OR MIT" beyond "Apache-2.0" is MIT).
func beyond(a, b declaration) []string {
	var out []string
	for _, c := range a.choices() {
		if ok, err := spdxexp.Satisfies(b.expr, c); err != nil || !ok {
			out = append(out, strings.Join(c, " AND "))
		}
	}
	return out
}

// maxComparisons bounds the comparisons of two expressions remembered
// (emptied when full): an org's manifests repeat a few expressions, and
// the policy plan evaluates every kept snapshot.
const maxComparisons = 256

var comparisons = struct {
	sync.Mutex
	m map[[2]string][2][]string
}{m: map[[2]string][2][]string{}}

// differences are beyond(a, b) and beyond(b, a), remembered by the two
// expressions; none when they are written alike.
func differences(a, b declaration) (onlyA, onlyB []string) {
	if strings.EqualFold(strings.TrimSpace(a.expr), strings.TrimSpace(b.expr)) {
		return nil, nil
	}
	key := [2]string{a.expr, b.expr}
	comparisons.Lock()
	res, ok := comparisons.m[key]
	comparisons.Unlock()
	if !ok {
		res = [2][]string{beyond(a, b), beyond(b, a)}
		comparisons.Lock()
		if len(comparisons.m) >= maxComparisons {
			clear(comparisons.m)
		}
		comparisons.m[key] = res
		comparisons.Unlock()
	}
	return slices.Clone(res[0]), slices.Clone(res[1])
}

// licenseSources is what the repository says its licence is.
type licenseSources struct {
	files []string            // root licence files
	text  []string            // the licences their texts hold; nil when one was not identified
	each  map[string][]string // each file's licences
	reuse []string            // LICENSES/ files
	ids   []string            // their licences, by name
	decls []declaration
}

func readSources(s *Snapshot, files, reuse []string) licenseSources {
	src := licenseSources{files: files, reuse: reuse, each: map[string][]string{}}
	identified := len(files) > 0
	for _, f := range files {
		text, read := s.Contents[f]
		ids := scanLicense(licenseText(text)).ids
		if !read || len(ids) == 0 {
			identified = false
		}
		src.each[f] = ids
		for _, id := range ids {
			src.text = appendNew(src.text, id)
		}
		if expr, line, ok := spdxIdentifier(text); ok && read {
			where := fmt.Sprintf("%s (line %d)", inert.Code(f), line)
			d := readDeclaration(where, f, line, expr, "the SPDX-License-Identifier line of "+where)
			d.single = len(files) == 1
			if !d.single {
				d.ownText = ids
			}
			src.decls = append(src.decls, d)
		}
	}
	if !identified {
		src.text = nil
	}
	for _, p := range reuse {
		src.ids = appendNew(src.ids, reuseID(p))
	}
	for _, m := range s.Declared {
		where := inert.Code(m.File)
		if m.Line > 0 {
			where = fmt.Sprintf("%s (line %d)", where, m.Line)
		}
		switch {
		case m.Problem != "":
			src.decls = append(src.decls, declaration{where: where, file: m.File, line: m.Line,
				field: inert.Code(m.File), problem: fmt.Sprintf("%s could not be read: %s", where, inert.Text(m.Problem))})
		case m.Expr != "":
			src.decls = append(src.decls, readDeclaration(where, m.File, m.Line, m.Expr, "the licence field of "+where))
		}
	}
	return src
}

// textName names the root licence files' licences: "`LICENSE` is MIT".
func (src licenseSources) textName() string {
	var quoted []string
	for _, f := range src.files {
		quoted = append(quoted, inert.Code(f))
	}
	if len(src.files) == 1 {
		return fmt.Sprintf("the text of %s is %s", quoted[0], listAnd(src.text))
	}
	return fmt.Sprintf("the texts of %s are %s", listAnd(quoted), listAnd(src.text))
}

// disagreements are the sentences saying where the sources disagree.
func (src licenseSources) disagreements() []string {
	var out []string
	var first *declaration
	for i := range src.decls {
		d := src.decls[i]
		if d.problem != "" {
			out = append(out, d.problem)
			continue
		}
		if d.ownText != nil {
			if !sameLicenseSet(d.keys(), d.ownText) {
				out = append(out, fmt.Sprintf("%s declares %s, but the text of %s is %s", d.where, shownExpr(d.expr), inert.Code(d.file), listAnd(d.ownText)))
			}
			continue // one licence of several: not the project's
		}
		clash := false
		if src.text != nil && !sameLicenseSet(d.keys(), src.text) {
			out = append(out, fmt.Sprintf("%s declares %s, but %s", d.where, shownExpr(d.expr), src.textName()))
			clash = true
		}
		if missing := missingFrom(d.keys(), src.ids); len(src.reuse) > 0 && len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s declares %s, but %s has no text for %s (it holds %s)", d.where, shownExpr(d.expr), inert.Code(ReuseDir+"/"), listAnd(missing), listAnd(src.ids)))
			clash = true
		}
		if clash {
			continue // said; comparing it with the other declarations would repeat it
		}
		if first == nil {
			first = &src.decls[i]
			continue
		}
		if wide, narrow := differences(*first, d); len(wide) > 0 || len(narrow) > 0 {
			out = append(out, declarationsDiffer(*first, d, wide, narrow))
		}
	}
	if src.text != nil && len(src.reuse) > 0 {
		if missing := missingFrom(src.text, src.ids); len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s, but %s has no text for %s (it holds %s)", src.textName(), inert.Code(ReuseDir+"/"), listAnd(missing), listAnd(src.ids)))
		}
	}
	return out
}

// declarationsDiffer explains two declarations that allow different
// licences, by go-spdx's semantics.
func declarationsDiffer(a, b declaration, onlyA, onlyB []string) string {
	says := fmt.Sprintf("%s declares %s and %s %s", a.where, shownExpr(a.expr), b.where, shownExpr(b.expr))
	switch {
	case len(onlyB) == 0:
		return fmt.Sprintf("%s: only the first can be used under %s", says, listOr(onlyA))
	case len(onlyA) == 0:
		return fmt.Sprintf("%s: only the second can be used under %s", says, listOr(onlyB))
	}
	return fmt.Sprintf("%s: only the first can be used under %s, only the second under %s", says, listOr(onlyA), listOr(onlyB))
}

func missingFrom(ids, have []string) []string {
	var out []string
	for _, id := range ids {
		if !containsLicense(have, id) {
			out = append(out, id)
		}
	}
	return out
}

// agreeing names the declarations that agree, for a passing message.
func (src licenseSources) agreeing() []string {
	var out []string
	for _, d := range src.decls {
		if d.problem == "" && d.ownText == nil && !d.single {
			out = append(out, d.where)
		}
	}
	return out
}

// judgeSources adds what the other sources say to f, the licence files'
// finding: a disagreement fails the rule (or is added to a failure).
func judgeSources(f Finding, src licenseSources, r policy.LicenseRule) Finding {
	problems := src.disagreements()
	if len(problems) == 0 {
		if agree := src.agreeing(); f.Result == Pass && len(agree) > 0 {
			f.Message += fmt.Sprintf("; %s declare%s it too", listAnd(agree), map[bool]string{true: "s"}[len(agree) == 1])
		}
		return f
	}
	msg := "the repository's licence sources disagree: " + strings.Join(problems, "; ")
	fix := src.remedy()
	if f.Result == Fail {
		f.Message = oneLine(f.Message + "; also, " + msg)
		f.Remediation = oneLine(f.Remediation + "; then " + fix)
	} else {
		file := f.File
		f = failed(RuleLicense, r.Mode, msg, fix)
		f.File = file
	}
	for _, d := range src.decls {
		f.Annotations = append(f.Annotations, Annotation{File: d.file, Line: d.line, Title: "licence declaration",
			Message: "the repository's licence is declared here; ospo-bot compares it with the licence files"})
	}
	return f
}

// remedy says what to do about disagreeing sources.
func (src licenseSources) remedy() string {
	var edit []string
	switch {
	case len(src.files) == 1:
		edit = append(edit, fmt.Sprintf("the text of %s", inert.Code(src.files[0])))
	case len(src.files) > 1:
		var quoted []string
		for _, f := range src.files {
			quoted = append(quoted, inert.Code(f))
		}
		edit = append(edit, "the texts of "+listAnd(quoted))
	}
	if len(src.reuse) > 0 {
		edit = append(edit, "the files in "+inert.Code(ReuseDir+"/")+" (one per licence, named by its SPDX id)")
	}
	var notSPDX bool
	for _, d := range src.decls {
		edit = append(edit, d.field)
		notSPDX = notSPDX || d.ids == nil && !noLicense(d.expr)
	}
	fix := "decide which licence the project is under, then make every source name it: " + listAnd(edit)
	if notSPDX {
		fix += "; write licence fields as SPDX expressions (e.g. `MIT`, `Apache-2.0 OR MIT`)"
	}
	return fix + "; or ask the OSPO for an exemption"
}

// checkREUSE judges LICENSES/: each file named by an SPDX id, holding
// that licence's text (when licensecheck knows it), and the licences
// allowed, each on its own or together as one allowed expression.
func checkREUSE(s *Snapshot, files []string, r policy.LicenseRule) Finding {
	if len(r.Allowed) == 0 {
		return failed(RuleLicense, r.Mode,
			"the policy allows no licenses: repository.license.allowed is empty",
			"list the allowed SPDX ids in repository.license.allowed in ospo.yml, or turn the license rule off")
	}
	var ids []string
	for _, p := range files {
		file, id := inert.Code(p), reuseID(p)
		if all, err := policy.LicenseIDs(id); err != nil || len(all) != 1 {
			return failed(RuleLicense, r.Mode,
				fmt.Sprintf("%s is not named by an SPDX licence id", file),
				fmt.Sprintf("rename %s to its licence's SPDX id, as REUSE asks (e.g. `LICENSES/Apache-2.0.txt`), or move it out of %s", file, inert.Code(ReuseDir+"/")))
		}
		text, read := s.Contents[p]
		switch {
		case !read:
			return failed(RuleLicense, r.Mode, fmt.Sprintf("%s exists but its text was not read", file),
				"re-run the check; if it persists, report it to the OSPO")
		case strings.TrimSpace(licenseText(text)) == "":
			return failed(RuleLicense, r.Mode, fmt.Sprintf("%s is empty", file),
				fmt.Sprintf("put the unmodified text of %s into %s", id, file))
		}
		if found := scanLicense(licenseText(text)).ids; len(found) > 0 && !containsLicense(found, id) {
			return failed(RuleLicense, r.Mode,
				fmt.Sprintf("%s is named %s but holds the text of %s", file, id, listAnd(found)),
				fmt.Sprintf("put the unmodified text of %s into %s, or name the file after the licence it holds", id, file))
		}
		ids = appendNew(ids, id)
	}
	allow := readAllowed(r.Allowed)
	if !allow.permits(ids) {
		var bad []string
		for _, id := range ids {
			if !allow.permits([]string{id}) {
				bad = append(bad, id)
			}
		}
		if len(bad) > 0 {
			return failed(RuleLicense, r.Mode,
				fmt.Sprintf("%s holds %s, which the policy does not allow (allowed: %s)", inert.Code(ReuseDir+"/"), listAnd(bad), strings.Join(r.Allowed, ", ")),
				fmt.Sprintf("license the files under %s instead and remove %s from %s, or ask the OSPO for an exemption%s", allowedList(r.Allowed), listAnd(bad), inert.Code(ReuseDir+"/"), allow.invalid))
		}
	}
	return passed(RuleLicense, r.Mode, fmt.Sprintf("%s (REUSE) holds %s, allowed", inert.Code(ReuseDir+"/"), listAnd(ids)))
}

// declaredHint tells a repository with no licence file what its manifests
// declare: " (`package.json` (line 15) declares `MIT`)".
func (src licenseSources) declaredHint() string {
	var says []string
	for _, d := range src.decls {
		if d.ids != nil {
			says = append(says, fmt.Sprintf("%s declares %s", d.where, shownExpr(d.expr)))
		}
	}
	if len(says) == 0 {
		return ""
	}
	return " (" + listAnd(says) + ")"
}
