package policy

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/ospo-bot/ospo-bot/internal/purl"
)

// checkString validates a string field or list entry by its schema path;
// it returns the problem, or "" when the value is fine.
func checkString(schema, v string) string {
	switch schema {
	case "review.repository":
		if v != "" && !validRepository(v) {
			return fmt.Sprintf("%q is not a repository as owner/name (e.g. acme/ospo)", v)
		}
	case "review.approvers[]":
		return checkApprover(v)
	case "review.label":
		if len([]rune(v)) > 50 {
			return fmt.Sprintf("%q is longer than GitHub's 50 characters for a label", v)
		}
	case "repository.license.allowed[]", "pull_request.spdx_headers.allowed[]":
		// spdx_headers.allowed defaults to license.allowed, so both take
		// the same: a policy's explained defaults must parse.
		return checkLicenceEntry(v, true)
	case "repository.files.required[]":
		switch {
		case strings.TrimSpace(v) == "":
			return "empty file name"
		case strings.ContainsAny(v, `/\`):
			return fmt.Sprintf("%q is a path; give the file name only (it is looked for in the root, .github/ and docs/)", v)
		}
	case "repository.topics.one_of[]":
		return checkTopic(v)
	case "repository.labels.required[].name":
		switch {
		case strings.TrimSpace(v) == "":
			return "a label needs a name"
		case len([]rune(v)) > 50:
			return fmt.Sprintf("%q is longer than GitHub's 50 characters for a label", v)
		}
	case "repository.labels.required[].color":
		if v != "" && !isHexColor(v) {
			if strings.HasPrefix(v, "#") && isHexColor(v[1:]) {
				return fmt.Sprintf("%q: write the colour without '#' (%s)", v, v[1:])
			}
			return fmt.Sprintf("%q is not a colour as 6 hex digits (e.g. d73a4a)", v)
		}
	case "locked[]":
		return checkLockedPath(v)
	case "pull_request.cla.document":
		return checkDocumentURL(v)
	case "pull_request.cla.version":
		if v != "" && (len(v) > 50 || strings.IndexFunc(v, unicode.IsSpace) >= 0) {
			return fmt.Sprintf("%q: a version is a short word without spaces, e.g. 2 or 2024-06", v)
		}
	case "pull_request.cla.phrase":
		switch {
		case v != "" && strings.TrimSpace(v) == "":
			return fmt.Sprintf("a blank phrase; leave it out for the default (%q)", DefaultCLAPhrase)
		case strings.ContainsAny(v, "\r\n"):
			return "the phrase must be one line: contributors comment it"
		case len([]rune(v)) > 300:
			return "the phrase is longer than 300 characters; contributors have to type it"
		}
	case "pull_request.cla.allow.users[]":
		return checkLoginPattern(v)
	case "pull_request.cla.allow.orgs[]":
		if rest, ok := strings.CutPrefix(v, "@"); ok && validLogin(rest) {
			return fmt.Sprintf("%q: write the org's login without '@' (%s)", v, rest)
		}
		if !validLogin(v) {
			return fmt.Sprintf("%q is not a GitHub org login", v)
		}
	case "pull_request.cla.allow.email_domains[]":
		return checkEmailDomain(v)
	case "pull_request.cla.agents":
		switch AgentPolicy(v) {
		case "", AgentsAllow, AgentsSponsor, AgentsBlock:
		default:
			return fmt.Sprintf("%q is not an agent policy; use allow, sponsor or block", v)
		}
	case "pull_request.cla.agent_identities[].name":
		if strings.TrimSpace(v) == "" || strings.ContainsAny(v, "\r\n") {
			return "an agent needs a name, as messages call it"
		}
	case "pull_request.cla.agent_identities[].email":
		if !plainEmail(v) {
			return fmt.Sprintf("%q is not an email address (e.g. noreply@anthropic.com); it is matched exactly, ignoring case", v)
		}
	case "pull_request.cla.agent_identities[].login":
		if body := strings.TrimSuffix(v, "[bot]"); !validLogin(body) {
			return fmt.Sprintf("%q is not a GitHub login (e.g. copilot-swe-agent[bot])", v)
		}
	case "pull_request.labels.one_of[][]":
		switch {
		case strings.TrimSpace(v) == "":
			return "empty label name"
		case strings.ContainsAny(v, "\r\n"):
			return fmt.Sprintf("%q: a label name is one line", v)
		case len([]rune(v)) > 50:
			return fmt.Sprintf("%q is longer than GitHub's 50 characters for a label", v)
		}
	case "pull_request.labels.patterns[]":
		if strings.TrimSpace(v) == "" {
			return "empty pattern; write a regular expression such as ^area/.+$"
		}
		if _, err := CompileLabelPattern(v); err != nil {
			return fmt.Sprintf("%q is not a regular expression: %s", v, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	case "pull_request.protected_paths.paths[]":
		return checkPathGlob(v)
	case "pull_request.dependencies.allowed[]":
		return checkLicenceEntry(v, true)
	case "pull_request.dependencies.denied[]":
		return checkLicenceEntry(v, false)
	case "pull_request.dependencies.scopes[]":
		if v != "runtime" && v != "development" {
			return fmt.Sprintf("%q is not a scope; use runtime or development (a dependency of unknown scope is always judged)", v)
		}
	case "pull_request.dependencies.exceptions[].package":
		if _, err := purl.Parse(v); err != nil {
			return fmt.Sprintf("%q is not a package URL: %v", v, err)
		}
	case "pull_request.dependencies.exceptions[].reason":
		if strings.TrimSpace(v) == "" {
			return "an exception needs a reason (why the package may be used whatever its licence), for the audit log"
		}
	case "pull_request.spdx_headers.paths[]", "pull_request.spdx_headers.exclude[]":
		return checkDoublestar(v)
	}
	return ""
}

// checkLicenceEntry checks an entry of an allowed list of licences
// (an SPDX id or expression: repository.license, dependencies,
// spdx_headers) or of dependencies' denied list (one SPDX id): its syntax,
// and that go-spdx knows its ids, since a licence it does not know would
// never match a LICENSE's, a dependency's or a header's.
func checkLicenceEntry(v string, expression bool) string {
	if strings.TrimSpace(v) == "" {
		return "empty entry; name an SPDX license id such as Apache-2.0"
	}
	ids, err := LicenseIDs(v)
	if err != nil {
		return fmt.Sprintf("%q is not an SPDX license id or expression: %s", v, err)
	}
	if !expression && (len(ids) > 1 || strings.Contains(v, " ")) {
		return fmt.Sprintf("%q: denied lists single license ids; list each license on its own (e.g. [GPL-3.0-only, AGPL-3.0-only])", v)
	}
	for _, id := range ids {
		if strings.HasPrefix(id, "LicenseRef-") || strings.HasPrefix(id, "DocumentRef-") {
			continue
		}
		if ok, _ := spdxexp.ValidateLicenses([]string{id}); !ok {
			return fmt.Sprintf("%q is not on the SPDX license list (https://spdx.org/licenses/); write its SPDX id (e.g. Apache-2.0, GPL-3.0-only), or LicenseRef-<name> for a license of your own", id)
		}
	}
	if ok, _ := spdxexp.ValidateLicenses([]string{v}); !ok {
		return fmt.Sprintf("%q is not an SPDX expression go-spdx can read (an exception after WITH must be on the SPDX exceptions list)", v)
	}
	return ""
}

// plainEmail: something@domain, as git writes it between < and >: no
// spaces, angle brackets or wildcards.
func plainEmail(v string) bool {
	at := strings.LastIndexByte(v, '@')
	return at > 0 && at < len(v)-1 && !strings.ContainsAny(v, "<>*? \t\r\n") && strings.Count(v, "@") == 1
}

// CompileLabelPattern compiles an entry of pull_request.labels.patterns:
// RE2 syntax, anchored at both ends (the whole label must match), case
// sensitive unless the pattern starts with (?i).
func CompileLabelPattern(pattern string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, err // the error names the pattern as written
	}
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

func checkDocumentURL(v string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (!strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, "http")) || u.Host == "" ||
		strings.ContainsAny(v, " \t") {
		return fmt.Sprintf("%q is not an http(s) URL (e.g. https://acme.example/cla)", v)
	}
	return ""
}

// checkLoginPattern checks an entry of allow.users: a login, or a login
// pattern with * (any characters), possibly ending in [bot].
func checkLoginPattern(v string) string {
	if rest, ok := strings.CutPrefix(v, "@"); ok && checkLoginPattern(rest) == "" {
		return fmt.Sprintf("%q: write the login without '@' (%s)", v, rest)
	}
	body := strings.TrimSuffix(v, "[bot]")
	if strings.Trim(body, "*") == "" && body != "" {
		return fmt.Sprintf("%q exempts everyone; turn the cla rule off instead", v)
	}
	ok := body != "" && len(body) <= 39
	for _, c := range []byte(body) {
		ok = ok && (isAlnum(c) || c == '-' || c == '*')
	}
	if !ok {
		return fmt.Sprintf("%q is not a login or a login pattern (letters, digits, hyphens, * for any characters, e.g. release-*)", v)
	}
	return ""
}

func checkEmailDomain(v string) string {
	if _, domain, ok := strings.Cut(v, "@"); ok {
		return fmt.Sprintf("%q: write the domain only (%s)", v, domain)
	}
	if rest, ok := strings.CutPrefix(v, "*."); ok {
		return fmt.Sprintf("%q: subdomains are included; write %s", v, rest)
	}
	if rest, ok := strings.CutPrefix(v, "."); ok {
		return fmt.Sprintf("%q: subdomains are included; write %s", v, rest)
	}
	labels := strings.Split(v, ".")
	ok := len(v) <= 253 && len(labels) >= 2
	for _, l := range labels {
		ok = ok && len(l) > 0 && len(l) <= 63 && isAlnum(l[0]) && isAlnum(l[len(l)-1])
		for _, c := range []byte(l) {
			ok = ok && (isAlnum(c) || c == '-')
		}
	}
	if !ok {
		return fmt.Sprintf("%q is not an email domain such as acme.example", v)
	}
	return ""
}

// checkPathGlob checks a protected path: a path.Match pattern for the full
// path of a file, relative to the repository root.
func checkPathGlob(v string) string {
	if problem := checkRelative(v, "empty path; name a file such as LICENSE or a pattern such as LICENSE*"); problem != "" {
		return problem
	}
	switch {
	case strings.Contains(v, "**"):
		return fmt.Sprintf("%q: ** is not supported; * matches within one directory (docs/* matches docs/a.md, not docs/a/b.md), so list each depth", v)
	case strings.HasSuffix(v, "/"):
		return fmt.Sprintf("%q is a directory; patterns match files: write %s*", v, v)
	case strings.Contains(v, `\`):
		return fmt.Sprintf("%q: paths use /, and \\ escapes a character; write the path with /", v)
	}
	if _, err := path.Match(v, ""); err != nil {
		return fmt.Sprintf("%q is not a glob pattern (unbalanced [ ])", v)
	}
	return ""
}

// checkRelative checks that a path pattern is not empty (empty says
// what to write instead) and is relative to the repository root.
func checkRelative(v, empty string) string {
	switch {
	case strings.TrimSpace(v) == "":
		return empty
	case strings.HasPrefix(v, "/"):
		return fmt.Sprintf("%q: paths are relative to the repository root; write %s", v, strings.TrimLeft(v, "/"))
	case strings.HasPrefix(v, "./"):
		return fmt.Sprintf("%q: paths are relative to the repository root; write %s", v, strings.TrimPrefix(v, "./"))
	}
	return ""
}

// checkDoublestar checks a glob of spdx_headers: a doublestar pattern
// for the full path of a file, relative to the repository root.
func checkDoublestar(v string) string {
	if problem := checkRelative(v, "empty pattern; write a glob such as **/*.go"); problem != "" {
		return problem
	}
	switch {
	case strings.HasSuffix(v, "/"):
		return fmt.Sprintf("%q is a directory; patterns match files: write %s**", v, v)
	case !doublestar.ValidatePattern(v):
		return fmt.Sprintf("%q is not a glob pattern (an unclosed [ or {, or a trailing \\); * matches within a directory, ** across directories, e.g. src/**/*.go", v)
	}
	return ""
}

func isHexColor(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range []byte(s) {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// validLogin reports whether s can be a GitHub user or organization login:
// 1 to 39 letters, digits and hyphens, starting and ending with a letter or
// digit.
func validLogin(s string) bool {
	if len(s) == 0 || len(s) > 39 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// validName reports whether s can be a repository name or a team slug.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 100 || s == "." || s == ".." {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func validRepository(s string) bool {
	owner, repo, ok := strings.Cut(s, "/")
	return ok && validLogin(owner) && validName(repo)
}

func checkApprover(v string) string {
	if rest, ok := strings.CutPrefix(v, "@"); ok {
		org, team, isTeam := strings.Cut(rest, "/")
		switch {
		case isTeam && validLogin(org) && validName(team):
			return ""
		case !isTeam && validLogin(rest):
			return fmt.Sprintf("%q: write a user's login without '@' (%s); '@' starts a team, @org/team-slug", v, rest)
		}
		return fmt.Sprintf("%q is not a team as @org/team-slug", v)
	}
	if !validLogin(v) {
		return fmt.Sprintf("%q is neither a team (@org/team-slug) nor a GitHub login", v)
	}
	return ""
}

func checkTopic(v string) string {
	if v != "" && strings.ToLower(v) != v {
		return fmt.Sprintf("%q: topics are lower case (%s)", v, strings.ToLower(v))
	}
	ok := len(v) > 0 && len(v) <= 50 && isAlnum(v[0])
	for _, c := range []byte(v) {
		ok = ok && (isAlnum(c) || c == '-')
	}
	if !ok {
		return fmt.Sprintf("%q is not a GitHub topic (lower-case letters, digits and hyphens, at most 50)", v)
	}
	return ""
}

func checkLockedPath(v string) string {
	if strings.TrimSpace(v) == "" {
		return "empty path; name a field such as repository.license"
	}
	if isOrgOnly(v) {
		return fmt.Sprintf("%q cannot be locked: only the org's ospo.yml sets it", v)
	}
	if _, ok := typeAt(v); !ok {
		if guess := closest(v, lockablePaths()); guess != "" {
			return fmt.Sprintf("%q names no field (did you mean %q?)", v, guess)
		}
		return fmt.Sprintf("%q names no field; use a dotted path such as repository.license or repository.license.allowed", v)
	}
	return ""
}

// CheckSPDX checks the syntax of an SPDX license expression as allowed in
// license.allowed: a license id ("Apache-2.0", "GPL-2.0+",
// "LicenseRef-acme"), or ids combined with OR, AND and WITH (an
// exception), with parentheses. Operators are upper case. Ids are not
// checked against the SPDX license list.
func CheckSPDX(expr string) error {
	if problem := spdxProblem(expr); problem != "" {
		return errors.New(problem)
	}
	return nil
}

// LicenseIDs returns the license ids an SPDX expression names, in order
// ("MIT OR Apache-2.0" names MIT and Apache-2.0; the exception after WITH
// is not a license), or the problem CheckSPDX reports.
func LicenseIDs(expr string) ([]string, error) {
	ids, problem := parseSPDX(expr)
	if problem != "" {
		return nil, errors.New(problem)
	}
	return ids, nil
}

func spdxProblem(expr string) string {
	_, problem := parseSPDX(expr)
	return problem
}

func parseSPDX(expr string) ([]string, string) {
	toks, problem := spdxTokens(expr)
	if problem != "" {
		return nil, problem
	}
	if len(toks) == 0 {
		return nil, "empty expression"
	}
	p := &spdxParser{toks: toks}
	if problem := p.or(0); problem != "" {
		return nil, problem
	}
	if p.i < len(toks) {
		return nil, p.unexpected()
	}
	return p.ids, ""
}

func spdxTokens(s string) ([]string, string) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case isAlnum(c) || c == '-' || c == '.' || c == '+' || c == ':':
			j := i
			for j < len(s) && (isAlnum(s[j]) || s[j] == '-' || s[j] == '.' || s[j] == '+' || s[j] == ':') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			r := []rune(s[i:])[0]
			return nil, fmt.Sprintf("unexpected character %q", r)
		}
	}
	return toks, ""
}

type spdxParser struct {
	toks []string
	i    int
	ids  []string // the license ids read, in order
}

const maxSPDXDepth = 32

func (p *spdxParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *spdxParser) unexpected() string {
	t := p.peek()
	switch {
	case t == ")":
		return "unbalanced ')'"
	case isOperator(t) && t != strings.ToUpper(t):
		return fmt.Sprintf("operators are upper case: write %s, not %s", strings.ToUpper(t), t)
	case p.i > 0 && p.toks[p.i-1] != "(" && !isOperator(p.toks[p.i-1]):
		return fmt.Sprintf("expected OR, AND or WITH between %s and %s", p.toks[p.i-1], t)
	}
	return fmt.Sprintf("unexpected %s", t)
}

func isOperator(t string) bool {
	switch strings.ToUpper(t) {
	case "OR", "AND", "WITH":
		return true
	}
	return false
}

// or := and {"OR" and}
func (p *spdxParser) or(depth int) string {
	if problem := p.and(depth); problem != "" {
		return problem
	}
	for p.peek() == "OR" {
		p.i++
		if problem := p.and(depth); problem != "" {
			return problem
		}
	}
	return ""
}

// and := with {"AND" with}
func (p *spdxParser) and(depth int) string {
	if problem := p.with(depth); problem != "" {
		return problem
	}
	for p.peek() == "AND" {
		p.i++
		if problem := p.with(depth); problem != "" {
			return problem
		}
	}
	return ""
}

// with := atom ["WITH" exception-id]
func (p *spdxParser) with(depth int) string {
	if problem := p.atom(depth); problem != "" {
		return problem
	}
	if p.peek() == "WITH" {
		p.i++
		t := p.peek()
		if t == "" || t == "(" || t == ")" || isOperator(t) || !validIDString(t) {
			return "expected an exception id after WITH"
		}
		p.i++
	}
	return ""
}

// atom := "(" or ")" | license-id
func (p *spdxParser) atom(depth int) string {
	t := p.peek()
	after := ""
	if p.i > 0 {
		after = " after " + p.toks[p.i-1]
	}
	switch {
	case t == "":
		return "expected a license id" + after
	case t == "(":
		if depth >= maxSPDXDepth {
			return "too many nested parentheses"
		}
		p.i++
		if problem := p.or(depth + 1); problem != "" {
			return problem
		}
		if p.peek() != ")" {
			if p.peek() == "" {
				return "missing ')'"
			}
			return p.unexpected()
		}
		p.i++
		return ""
	case t == ")" || isOperator(t):
		return fmt.Sprintf("expected a license id%s, found %s", after, t)
	}
	if problem := checkLicenseID(t); problem != "" {
		return problem
	}
	p.ids = append(p.ids, t)
	p.i++
	return ""
}

// checkLicenseID checks an SPDX license id: idstring ["+"],
// "LicenseRef-" idstring, or "DocumentRef-" idstring ":LicenseRef-" idstring.
func checkLicenseID(t string) string {
	if doc, ok := strings.CutPrefix(t, "DocumentRef-"); ok {
		d, ref, ok := strings.Cut(doc, ":")
		r, isRef := strings.CutPrefix(ref, "LicenseRef-")
		if !ok || !isRef || !validIDString(d) || !validIDString(r) {
			return fmt.Sprintf("%s is not DocumentRef-<id>:LicenseRef-<id>", t)
		}
		return ""
	}
	id := t
	if !strings.HasPrefix(t, "LicenseRef-") {
		id = strings.TrimSuffix(t, "+")
	}
	if !validIDString(id) {
		return fmt.Sprintf("%s is not a license id", t)
	}
	return ""
}

func validIDString(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(c) && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
