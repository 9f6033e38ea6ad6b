package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// SPDXFiles lists the files the spdx-headers rule judges, in the pull
// request's order: every file it adds or modifies (a rename's new path
// when its content changed, or when its old path did not need a header)
// that matches one of the rule's paths and none of its exclude patterns
// (doublestar globs on the full path, case-sensitive like git), leaving
// out the files REUSE never covers (licence texts, LICENSE and COPYING,
// .reuse/, .license files, SPDX documents).
func SPDXFiles(pr *PullRequest, r policy.SPDXHeadersRule) []string {
	if pr == nil {
		return nil
	}
	var out []string
	for _, f := range pr.Files {
		switch pr.Status[f] {
		case "removed", "unchanged":
			continue
		case "renamed":
			if old := pr.Renamed[f]; pr.Patches[f] == "" && old != "" && needsHeader(old, r) {
				continue // moved, unchanged, and judged where it was
			}
		}
		if needsHeader(f, r) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// needsHeader: f matches the rule's paths, not its exclusions, and is a
// file REUSE covers.
func needsHeader(f string, r policy.SPDXHeadersRule) bool {
	patterns := r.Paths
	if patterns == nil {
		patterns = policy.DefaultSPDXHeaderPaths()
	}
	return globAny(patterns, f) && !globAny(r.Exclude, f) && reuseCovers(f)
}

func globAny(patterns []string, f string) bool {
	for _, p := range patterns {
		if ok, err := doublestar.Match(strings.TrimSpace(p), f); err == nil && ok {
			return true
		}
	}
	return false
}

// reuseCovers reports whether REUSE asks for licensing information in f
// ("Covered and ignored Files" of the specification, by path).
func reuseCovers(f string) bool {
	base := path.Base(f)
	name := strings.SplitN(base, ".", 2)[0]
	switch {
	case strings.HasPrefix(f, "LICENSES/"), strings.HasPrefix(f, ".reuse/"), strings.HasPrefix(f, ".git/"),
		name == "LICENSE", name == "COPYING", strings.HasSuffix(base, ".license"):
		return false
	}
	for _, ext := range []string{".spdx", ".spdx.json", ".spdx.yaml", ".spdx.yml", ".spdx.xml", ".spdx.rdf", ".spdx.rdf.xml", ".spdx.tv"} {
		if strings.HasSuffix(base, ext) {
			return false
		}
	}
	return true
}

// maxHeaderRows is how many failing files the details table lists.
const maxHeaderRows = 100

// maxHeaderAnnotations is how many failing files get an annotation, as
// many as the table lists (the check run takes 50 a request, so past 50
// failing files one more request).
const maxHeaderAnnotations = maxHeaderRows

// headerFailure is one file without an allowed licence.
type headerFailure struct {
	file  string
	title string // the annotation's title
	found string // what was found, plain text
	fix   fixLine
}

// SPDXHeaders checks that every file the pull request adds or modifies
// that matches the rule's paths (SPDXFiles) carries an
// SPDX-License-Identifier in its first HeadLines lines, or has a licence
// through REUSE (a .license file, REUSE.toml, .reuse/dep5, with the
// specification's order of precedence), and that its licence is allowed:
// an expression passes when some choice it offers is allowed. A file
// that could not be read fails closed.
func SPDXHeaders(pr *PullRequest, r policy.SPDXHeadersRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleSPDXHeaders, r.Mode)
	}
	pr = orEmptyPR(pr)
	allowed := r.Allowed
	if allowed == nil {
		allowed = policy.Defaults().Repository.License.Allowed
	}
	files := SPDXFiles(pr, r)
	incomplete := ""
	if !pr.FilesComplete {
		incomplete = fmt.Sprintf("could not read all the changed files at the pull request's head (%s read)", plural(pr.FilesRead, "file"))
		if pr.FileCount > pr.FilesRead && pr.FilesRead > 0 {
			incomplete = fmt.Sprintf("GitHub listed %d of the %d changed files", pr.FilesRead, pr.FileCount)
		}
	}
	if len(files) == 0 {
		if incomplete != "" {
			return failed(RuleSPDXHeaders, r.Mode, incomplete+"; the files past them were not checked for SPDX headers, not passing on a partial list",
				"split the pull request into smaller ones")
		}
		return passed(RuleSPDXHeaders, r.Mode, "adds or modifies no file that needs an SPDX header")
	}
	ix := newReuseIndex(pr.REUSE)
	suggest := suggestedLicense(pr, files, ix, allowed)
	var fails []headerFailure
	judged, viaREUSE, notCovered := 0, 0, 0
	for _, f := range files {
		head, read := pr.Heads[f]
		no, hasNo := pr.NoHead[f]
		switch {
		case hasNo && (no.Kind == HeadSymlink || no.Kind == HeadSubmodule || no.Kind == HeadEmpty):
			notCovered++
			continue
		case !read && !hasNo:
			no = NoHead{Kind: HeadUnread, Why: "its first lines were not read"}
			hasNo = true
		}
		judged++
		var own []string
		if read {
			own = headerIdentifiers(head)
		}
		lic := ix.of(f, own)
		fix := fixFor(f, head, suggest, hasNo && no.Kind == HeadBinary)
		fail := func(title, found string) {
			fails = append(fails, headerFailure{file: f, title: title, found: found, fix: fix})
		}
		switch {
		case lic.problem != "":
			fail("licence unknown", lic.problem)
			continue
		case hasNo && no.Kind == HeadUnread && !lic.independent:
			fail("file not read", "could not be read ("+no.Why+"), so its licence is unknown")
			continue
		case len(lic.expressions) == 0 && hasNo && no.Kind == HeadBinary:
			fail("SPDX licence missing", "a binary file with no .license file and no REUSE.toml annotation")
			continue
		case len(lic.expressions) == 0:
			fail("SPDX header missing", fmt.Sprintf("no SPDX-License-Identifier in its first %d lines, and no REUSE.toml, .license file or .reuse/dep5 covers it", HeadLines))
			continue
		}
		var exprs []string
		bad := ""
		for _, e := range lic.expressions {
			if why := spdxInvalid(e.expr); why != "" {
				bad = fmt.Sprintf("SPDX-License-Identifier: %s (%s) is not a valid SPDX licence expression: %s", e.expr, e.source, why)
				break
			}
			exprs = appendOnceFold(exprs, e.expr)
		}
		if slices.ContainsFunc(lic.expressions, func(e sourced) bool { return e.source != "header" }) {
			viaREUSE++
		}
		if bad != "" {
			fail("invalid SPDX expression", bad)
			continue
		}
		if !licenseAllowed(joinAnd(exprs), allowed) {
			fail("licence not allowed", fmt.Sprintf("SPDX-License-Identifier: %s (%s), which the policy does not allow (allowed: %s)",
				joinAnd(exprs), sourcesOf(lic.expressions), strings.Join(allowed, ", ")))
		}
	}
	if len(fails) == 0 && incomplete == "" {
		msg := fmt.Sprintf("%s with an allowed SPDX licence", plural(judged, "new or changed file"))
		if viaREUSE > 0 {
			msg += fmt.Sprintf(" (%d through REUSE)", viaREUSE)
		}
		if notCovered > 0 {
			msg += fmt.Sprintf(" (%s REUSE does not cover: symlinks, submodules, empty files)", plural(notCovered, "more"))
		}
		if len(ix.notes) > 0 {
			msg += "; " + strings.Join(ix.notes, "; ")
		}
		return passed(RuleSPDXHeaders, r.Mode, msg)
	}
	var names []string
	for _, x := range fails {
		names = append(names, inert.Code(x.file))
	}
	msg := fmt.Sprintf("%d of %s without an allowed SPDX licence: %s", len(fails), plural(judged, "new or changed file"), capList(names))
	if incomplete != "" {
		msg = joinSentences(msg, incomplete+"; the files past them were not checked")
		if len(fails) == 0 {
			msg = incomplete + "; the files past them were not checked for SPDX headers, not passing on a partial list"
		}
	}
	if len(ix.notes) > 0 {
		msg += "; " + strings.Join(ix.notes, "; ")
	}
	rem := fmt.Sprintf("add the line each annotation shows at the top of each file (the table below lists them), or give the files a licence through REUSE (a .license file next to each, or REUSE.toml); allowed licences: %s",
		inert.Text(strings.Join(allowed, ", ")))
	if len(allowed) == 0 {
		rem = "add the line each annotation shows at the top of each file (the table below lists them), or give the files a licence through REUSE (a .license file next to each, or REUSE.toml)"
	}
	if len(fails) == 0 {
		rem = "split the pull request into smaller ones"
	}
	f := failed(RuleSPDXHeaders, r.Mode, msg, rem)
	for i, x := range fails {
		if i == maxHeaderAnnotations {
			break
		}
		f.Annotations = append(f.Annotations, Annotation{File: x.file, Line: 1, Title: x.title,
			Message: oneLine(x.found) + ". " + x.fix.instruction()})
	}
	f.Details = headerTable(fails)
	return f
}

func joinSentences(a, b string) string { return a + "; " + b }

func sourcesOf(ss []sourced) string {
	var out []string
	for _, s := range ss {
		out = appendOnce(out, s.source)
	}
	return strings.Join(out, ", ")
}

func appendOnceFold(list []string, s string) []string {
	if slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) }) {
		return list
	}
	return append(list, s)
}

// joinAnd is the expression of a file under all of exprs.
func joinAnd(exprs []string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = "(" + e + ")"
	}
	return strings.Join(parts, " AND ")
}

// spdxInvalid says why expr is not a valid SPDX licence expression ("" when
// it is): its syntax, or an id that is not on the SPDX licence list.
func spdxInvalid(expr string) string {
	if strings.TrimSpace(expr) == "" {
		return "it is empty"
	}
	if err := policy.CheckSPDX(expr); err != nil {
		return err.Error()
	}
	if ok, invalid := spdxexp.ValidateLicenses([]string{expr}); !ok {
		if len(invalid) > 0 && invalid[0] != expr {
			return fmt.Sprintf("%s is not on the SPDX licence list (a licence of your own is written LicenseRef-name)", invalid[0])
		}
		return "a licence it names is not on the SPDX licence list (a licence of your own is written LicenseRef-name)"
	}
	return ""
}

// licenseAllowed reports whether some choice expr offers is allowed: a
// single licence of allowed, or all of an AND of them; an allowed entry
// that is itself an expression ("MIT OR Apache-2.0") allows that
// expression as written. An empty list allows any valid expression.
func licenseAllowed(expr string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	var single []string
	for _, a := range allowed {
		a = strings.TrimSpace(a)
		if sameExpression(a, expr) {
			return true
		}
		if compound(a) {
			continue
		}
		if ok, _ := spdxexp.ValidateLicenses([]string{a}); ok {
			single = append(single, a)
		}
	}
	if len(single) == 0 {
		return false
	}
	ok, err := spdxexp.Satisfies(expr, single)
	return err == nil && ok
}

func compound(expr string) bool {
	for _, w := range strings.Fields(strings.ToUpper(strings.NewReplacer("(", " ", ")", " ").Replace(expr))) {
		if w == "AND" || w == "OR" {
			return true
		}
	}
	return false
}

func sameExpression(a, b string) bool {
	norm := func(s string) string {
		return strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)), " "))
	}
	return norm(a) == norm(b)
}

// suggestedLicense is the licence to suggest: the one the pull request's
// other headers use when they agree, else the first allowed.
func suggestedLicense(pr *PullRequest, files []string, ix *reuseIndex, allowed []string) string {
	var seen []string
	for _, f := range files {
		head, ok := pr.Heads[f]
		if !ok {
			continue
		}
		for _, e := range headerIdentifiers(head) {
			if spdxInvalid(e) == "" && licenseAllowed(e, allowed) {
				seen = appendOnceFold(seen, e)
			}
		}
	}
	switch {
	case len(seen) == 1:
		return seen[0]
	case len(allowed) > 0:
		return strings.TrimSpace(allowed[0])
	case len(seen) > 0:
		return seen[0]
	}
	return "LicenseRef-your-licence"
}

// headerTable is the details block: the failing files, what was found,
// and the line to add, capped.
func headerTable(fails []headerFailure) string {
	var b strings.Builder
	b.WriteString("**SPDX headers**: files without an allowed licence\n\n| file | found | line to add |\n| --- | --- | --- |\n")
	for i, x := range fails {
		if i == maxHeaderRows || b.Len() > 18000 {
			fmt.Fprintf(&b, "\n… and %d more\n", len(fails)-i)
			break
		}
		add := tableCode(x.fix.line)
		if x.fix.sidecar {
			add = "in " + tableCode(x.fix.file) + ": " + add
		}
		// inert.Text escapes "|" itself: escaping it again would show
		// the backslash.
		fmt.Fprintf(&b, "| %s | %s | %s |\n", tableCode(x.file), inert.Text(x.found), add)
	}
	return b.String()
}

// fixLine is the line that gives a file its licence, and where it goes.
type fixLine struct {
	line    string
	where   string
	sidecar bool   // the line goes into a .license file
	file    string // that file
}

func (f fixLine) instruction() string {
	if f.sidecar {
		return fmt.Sprintf("Create %s with this line (or cover the file in REUSE.toml): %s", f.file, f.line)
	}
	return fmt.Sprintf("Add this line %s: %s", f.where, f.line)
}

// fixFor writes the SPDX line in file's comment syntax, and says where
// it goes; a binary file or one whose syntax is unknown gets a .license
// file.
func fixFor(file, head, license string, binary bool) fixLine {
	tag := "SPDX-License-Identifier: " + license
	style, ok := commentStyleOf(file)
	if binary || !ok {
		return fixLine{line: tag, sidecar: true, file: file + ".license"}
	}
	fix := fixLine{line: style.open + tag + style.close, where: "as the file's first line"}
	first, _, _ := strings.Cut(head, "\n")
	switch {
	case strings.HasPrefix(first, "#!"):
		fix.where = "right after the shebang line (line 2)"
	case strings.HasPrefix(first, "<?xml"):
		fix.where = "right after the XML declaration"
	case strings.HasSuffix(file, ".go"):
		fix.where = "as the file's first comment, before the package clause and followed by a blank line (so it does not become the package's doc comment)"
	}
	return fix
}

type commentStyle struct{ open, close string }

var (
	slashes = commentStyle{"// ", ""}
	hashes  = commentStyle{"# ", ""}
	html    = commentStyle{"<!-- ", " -->"}
	cblock  = commentStyle{"/* ", " */"}
	dashes  = commentStyle{"-- ", ""}
)

// commentStyles maps file extensions to their line comment.
var commentStyles = map[string]commentStyle{
	".go": slashes, ".c": slashes, ".h": slashes, ".cc": slashes, ".cpp": slashes, ".cxx": slashes, ".hpp": slashes,
	".hh": slashes, ".hxx": slashes, ".cs": slashes, ".java": slashes, ".kt": slashes, ".kts": slashes, ".swift": slashes,
	".js": slashes, ".mjs": slashes, ".cjs": slashes, ".jsx": slashes, ".ts": slashes, ".tsx": slashes, ".mts": slashes,
	".cts": slashes, ".rs": slashes, ".scala": slashes, ".dart": slashes, ".groovy": slashes, ".gradle": slashes,
	".proto": slashes, ".m": slashes, ".mm": slashes, ".zig": slashes, ".php": slashes, ".scss": slashes, ".less": slashes,
	".py": hashes, ".pyi": hashes, ".sh": hashes, ".bash": hashes, ".zsh": hashes, ".fish": hashes, ".yaml": hashes,
	".yml": hashes, ".rb": hashes, ".toml": hashes, ".pl": hashes, ".pm": hashes, ".r": hashes, ".ps1": hashes,
	".cmake": hashes, ".mk": hashes, ".tf": hashes, ".nix": hashes, ".bzl": hashes, ".star": hashes, ".cfg": hashes,
	".conf": hashes, ".ex": hashes, ".exs": hashes, ".jl": hashes, ".awk": hashes, ".dockerfile": hashes,
	".html": html, ".htm": html, ".xml": html, ".md": html, ".markdown": html, ".svg": html, ".vue": html,
	".xhtml": html, ".xsd": html, ".xsl": html,
	".css": cblock,
	".sql": dashes, ".lua": dashes, ".hs": dashes, ".elm": dashes, ".ada": dashes, ".adb": dashes, ".ads": dashes,
}

// commentStyleOf is file's comment syntax, by extension or by name
// (Dockerfile, Makefile, ...).
func commentStyleOf(file string) (commentStyle, bool) {
	base := path.Base(file)
	switch {
	case base == "Dockerfile" || strings.HasPrefix(base, "Dockerfile.") || strings.HasPrefix(base, "Containerfile"),
		base == "Makefile" || base == "GNUmakefile" || base == "makefile", base == "CMakeLists.txt",
		base == "BUILD" || base == "WORKSPACE" || base == "BUILD.bazel", base == "Gemfile", base == "Rakefile",
		base == "Vagrantfile", base == "Pipfile":
		return hashes, true
	case base == "Jenkinsfile":
		return slashes, true
	}
	s, ok := commentStyles[strings.ToLower(path.Ext(base))]
	return s, ok
}

var spdxHeadersEntry = Rule{
	ID: RuleSPDXHeaders, Scope: PullRequestScope, Section: "pull_request.spdx_headers",
	Anchor:  "pull_requestspdx_headers--an-spdx-licence-header-in-every-new-or-changed-source-file",
	Summary: "every source file the pull request adds or modifies carries an allowed `SPDX-License-Identifier` in its first lines, or has a licence through REUSE (REUSE.toml, a .license file, .reuse/dep5)",
	Mode:    func(p *policy.Policy) policy.Mode { return p.PullRequest.SPDXHeaders.Mode },
	// The commits tell whether the changed files are the head's.
	Needs: Needs{Commits: true, ChangedFiles: true, Heads: true},
	Check: func(in Input) Finding { return SPDXHeaders(in.PR, in.Policy.PullRequest.SPDXHeaders) },
}
