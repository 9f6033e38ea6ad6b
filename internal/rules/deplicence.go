package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// The licence of a dependency, judged against the policy's allowed and
// denied licences. go-spdx reads the expression and compares licences
// (ranges of versions, -only, -or-later and +, exceptions, LicenseRef-);
// the expression's AND and OR are evaluated here, because each licence of
// a choice is judged on its own: a dependency passes when some choice its
// expression offers has every licence acceptable.

// licenceJudge judges licences under one policy.
type licenceJudge struct {
	// allowed are the single licences (an exception with WITH included)
	// that the policy's allowed entries name; restrict says the policy
	// lists any (then only those pass; otherwise any licence not denied).
	allowed  []string
	restrict bool
	denied   []string
	// known holds each licence's verdict once judged: go-spdx's range
	// lookups are costly, and a pull request's dependencies share a few
	// licences.
	known map[string]verdictOf
	// judged holds each expression's verdict once judged.
	judged map[string]licenceVerdict
}

type verdictOf struct {
	ok  bool
	why string
}

func newLicenceJudge(allowed, denied []string) licenceJudge {
	j := licenceJudge{restrict: len(nonBlank(allowed)) > 0, known: map[string]verdictOf{}, judged: map[string]licenceVerdict{}}
	for _, a := range allowed {
		j.allowed = append(j.allowed, licencesOf(a)...)
	}
	for _, d := range denied {
		j.denied = append(j.denied, licencesOf(d)...)
	}
	return j
}

// licencesOf lists the single licences an expression of the policy
// names; none when it is not an SPDX expression go-spdx knows (the
// policy's validation refuses those).
func licencesOf(expr string) []string {
	norm, ok := normaliseLicence(expr)
	if !ok {
		return nil
	}
	n, ok := parseLicence(norm)
	if !ok {
		return nil
	}
	var out []string
	n.leaves(func(l string) { out = append(out, l) })
	return out
}

// unknownValues are what GitHub and deps.dev write when nobody knows a
// package's licence.
var unknownValues = map[string]string{
	"NOASSERTION":  "nobody asserted its licence (NOASSERTION)",
	"NONE":         "it declares no licence (NONE)",
	"OTHER":        "its licence is not an SPDX licence (OTHER)",
	"UNKNOWN":      "its licence is unknown",
	"NON-STANDARD": "its licence is not an SPDX licence (non-standard)",
}

// maxLicenceLen is the longest licence expression judged; a longer one
// is unknown.
const maxLicenceLen = 1000

// licenceVerdict is what the policy says of one licence expression.
type licenceVerdict struct {
	known bool
	ok    bool
	// why says, in plain text, why an unknown licence is unknown or a
	// known one fails ("GPL-3.0-only is denied").
	why string
}

func (j licenceJudge) judge(expr string) licenceVerdict {
	if v, ok := j.judged[expr]; ok {
		return v
	}
	v := j.judgeNow(expr)
	if j.judged != nil {
		j.judged[expr] = v
	}
	return v
}

func (j licenceJudge) judgeNow(expr string) licenceVerdict {
	s := strings.TrimSpace(expr)
	if s == "" {
		return licenceVerdict{why: "no licence is known"}
	}
	if why, ok := unknownValues[strings.ToUpper(s)]; ok {
		return licenceVerdict{why: why}
	}
	if len(s) > maxLicenceLen {
		return licenceVerdict{why: fmt.Sprintf("its licence expression is longer than %d characters", maxLicenceLen)}
	}
	norm, ok := normaliseLicence(s)
	var n *licenceNode
	if ok {
		n, ok = parseLicence(norm)
	}
	if !ok {
		return licenceVerdict{why: fmt.Sprintf("its licence %q is not an SPDX licence expression", cut(s, 80))}
	}
	var bad []string
	ok = n.eval(func(l string) bool {
		accept, why := j.acceptable(l)
		if !accept {
			bad = appendOnce(bad, l+" is "+why)
		}
		return accept
	})
	if ok {
		return licenceVerdict{known: true, ok: true}
	}
	return licenceVerdict{known: true, why: strings.Join(bad, ", ")}
}

// acceptable: some version the licence may be taken under is allowed and
// not denied ("GPL-2.0-or-later" may be taken as GPL-2.0-only when
// GPL-3.0-only is denied). why says what is wrong otherwise: "denied" or
// "not allowed".
func (j licenceJudge) acceptable(l string) (bool, string) {
	if v, ok := j.known[l]; ok {
		return v.ok, v.why
	}
	ok, why := j.acceptableNow(l)
	if j.known != nil {
		j.known[l] = verdictOf{ok, why}
	}
	return ok, why
}

func (j licenceJudge) acceptableNow(l string) (bool, string) {
	why := "not allowed"
	for _, v := range versionsOf(l) {
		allowed := !j.restrict || satisfies(v, j.allowed, false)
		denied := satisfies(v, j.denied, true)
		switch {
		case allowed && !denied:
			return true, ""
		case denied:
			why = "denied"
		}
	}
	return false, why
}

// satisfies asks go-spdx whether the licence l is one of list (ranges of
// versions considered); onError is the answer when it cannot tell.
func satisfies(l string, list []string, onError bool) bool {
	if len(list) == 0 {
		return false
	}
	ok, err := spdxexp.Satisfies(l, list)
	if err != nil {
		return onError
	}
	return ok
}

// versionsOf lists the versions a licence may be taken under: itself, or
// for "-or-later" and "+" each version from its own on in SPDX's ranges
// ("GPL-2.0-or-later": GPL-2.0-only, GPL-3.0-only), each with its
// exception.
func versionsOf(l string) []string {
	base, exception, _ := strings.Cut(l, " WITH ")
	stem, plus := strings.CutSuffix(base, "+")
	if !plus {
		stem, plus = strings.CutSuffix(base, "-or-later")
	}
	if !plus {
		return []string{l}
	}
	for _, group := range spdxlicenses.LicenseRanges() {
		for i, versions := range group {
			for _, id := range versions {
				if !strings.EqualFold(id, stem) {
					continue
				}
				var out []string
				for _, later := range group[i:] {
					v := later[len(later)-1] // "GPL-3.0-only" rather than the deprecated "GPL-3.0"
					if exception != "" {
						v += " WITH " + exception
					}
					out = append(out, v)
				}
				return out
			}
		}
	}
	return []string{l}
}

var (
	operatorRE   = regexp.MustCompile(`(?i)(^|[\s()])(and|or|with)([\s()]|$)`)
	licenseRefRE = regexp.MustCompile(`(?i)\b(licenseref|documentref)-`)
)

// normaliseLicence reads an expression as go-spdx does, after writing
// its operators in upper case and LicenseRef- as SPDX spells it (GitHub
// and registries write "mit or apache-2.0"); ok is false when it is no
// SPDX expression.
func normaliseLicence(s string) (string, bool) {
	s = operatorRE.ReplaceAllStringFunc(s, strings.ToUpper)
	s = operatorRE.ReplaceAllStringFunc(s, strings.ToUpper) // adjacent operators share a separator
	s = licenseRefRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.EqualFold(m, "licenseref-") {
			return "LicenseRef-"
		}
		return "DocumentRef-"
	})
	norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions([]string{s}, spdxexp.ValidateLicensesOptions{})
	if len(invalid) > 0 || len(norm) != 1 {
		return "", false
	}
	return norm[0], true
}

// licenceNode is a normalised expression: a licence (with its exception),
// or AND or OR of two.
type licenceNode struct {
	op          string // "AND", "OR"; "" for a licence
	licence     string
	left, right *licenceNode
}

func (n *licenceNode) eval(ok func(string) bool) bool {
	switch n.op {
	case "AND":
		l, r := n.left.eval(ok), n.right.eval(ok) // both: every failing licence is named
		return l && r
	case "OR":
		l, r := n.left.eval(ok), n.right.eval(ok)
		return l || r
	}
	return ok(n.licence)
}

func (n *licenceNode) leaves(f func(string)) {
	if n.op == "" {
		f(n.licence)
		return
	}
	n.left.leaves(f)
	n.right.leaves(f)
}

// parseLicence reads an expression go-spdx normalised: licences, WITH,
// AND (binding tighter), OR and parentheses.
func parseLicence(s string) (*licenceNode, bool) {
	var toks []string
	for _, f := range strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)) {
		toks = append(toks, f)
	}
	p := &licenceParser{toks: toks}
	n := p.or(0)
	return n, n != nil && p.i == len(toks)
}

type licenceParser struct {
	toks []string
	i    int
}

func (p *licenceParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *licenceParser) or(depth int) *licenceNode {
	n := p.and(depth)
	for n != nil && p.peek() == "OR" {
		p.i++
		r := p.and(depth)
		if r == nil {
			return nil
		}
		n = &licenceNode{op: "OR", left: n, right: r}
	}
	return n
}

func (p *licenceParser) and(depth int) *licenceNode {
	n := p.atom(depth)
	for n != nil && p.peek() == "AND" {
		p.i++
		r := p.atom(depth)
		if r == nil {
			return nil
		}
		n = &licenceNode{op: "AND", left: n, right: r}
	}
	return n
}

func (p *licenceParser) atom(depth int) *licenceNode {
	t := p.peek()
	switch t {
	case "", ")", "AND", "OR", "WITH":
		return nil
	case "(":
		if depth > 50 {
			return nil
		}
		p.i++
		n := p.or(depth + 1)
		if n == nil || p.peek() != ")" {
			return nil
		}
		p.i++
		return n
	}
	p.i++
	if p.peek() == "WITH" {
		p.i++
		e := p.peek()
		if e == "" || e == "(" || e == ")" {
			return nil
		}
		p.i++
		t += " WITH " + e
	}
	return &licenceNode{licence: t}
}

// cut shortens s to at most n runes, with "…".
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
