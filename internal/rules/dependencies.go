package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/purl"
)

// Dependencies judges the licences of the dependencies a pull request
// adds or changes (pr.Dependencies.Added) in the scopes the policy names
// (a dependency of unknown scope always): a dependency passes when some
// choice its licence expression offers is allowed (when the policy lists
// allowed licences) and includes no denied licence, or when an OSPO
// approver allowed it (`/ospo allow`, pr.Allowed) or ospo.yml's
// exceptions name it. Nothing passes silently: a dependency whose licence
// nobody knows fails, in warn mode under `unknown: warn` (the check is
// neutral) and in the rule's mode under `unknown: enforce`; a manifest
// that could not be read fails closed, and so does a pull request whose
// dependencies were not gathered.
func Dependencies(pr *PullRequest, r policy.DependenciesRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleDependencies, r.Mode)
	}
	pr = orEmptyPR(pr)
	if pr.Dependencies == nil {
		return failed(RuleDependencies, r.Mode,
			"the dependencies this pull request adds were not read, so their licences cannot be judged; not passing on what was not read",
			"check again with /ospo recheck; if this stays, the app could not read the pull request's dependencies (see its logs)")
	}
	jd := judgeDependencies(pr, r)
	judge, scopes, all, denied, unknown, fine, unread, other := jd.judge, jd.scopes, jd.all, jd.denied, jd.unknown, jd.fine, jd.unread, jd.other
	if len(denied) == 0 && len(unknown) == 0 && len(unread) == 0 {
		switch {
		case len(all) == 0 && len(pr.Dependencies.Added) == 0:
			return passed(RuleDependencies, r.Mode, "adds no dependencies")
		case len(all) == 0:
			return passed(RuleDependencies, r.Mode, fmt.Sprintf("adds no dependencies in the judged scopes (%s); %s not judged", strings.Join(scopes, ", "), other))
		}
		msg := fmt.Sprintf("adds %s, all under allowed licences", plural(len(all), "dependency"))
		if n := len(all) - countKind(all, depPasses); n > 0 {
			msg += fmt.Sprintf(" or allowed as exceptions (%d)", n)
		}
		f := passed(RuleDependencies, r.Mode, msg)
		f.Details = dependencyTable(all, nil, other)
		return f
	}

	// One finding, one mode: unknown licences alone count as `unknown`
	// says, never stronger than the rule.
	mode := r.Mode
	if len(denied) == 0 && len(unread) == 0 {
		mode = weaker(r.Mode, unknownMode(r.Unknown))
	}
	var msgs, fixes []string
	if len(denied) > 0 {
		msgs = append(msgs, fmt.Sprintf("%s under licences the policy does not allow: %s", plural(len(denied), "dependency"), capList(depNames(denied, true))))
		fix := "use a version or a package under an allowed licence"
		if judge.restrict {
			fix += " (" + capList(codes(nonBlank(r.Allowed))) + ")"
		}
		fixes = append(fixes, fix+", or ask an OSPO approver to comment `/ospo allow <purl> <reason>` on this pull request (for every repository: `exceptions` in ospo.yml)")
	}
	if len(unknown) > 0 {
		msgs = append(msgs, fmt.Sprintf("%s whose licence is unknown: %s", plural(len(unknown), "dependency"), capList(depNames(unknown, true))))
		fixes = append(fixes, "find the licence of each package whose licence is unknown (its repository's LICENSE); if it may be used, an OSPO approver comments `/ospo allow <purl> <reason>`")
	}
	if len(unread) > 0 {
		var names []string
		for _, u := range unread {
			names = append(names, inert.Code(cut(u.Path, 200))+" ("+inert.Text(cut(u.Why, 200))+")")
		}
		msgs = append(msgs, "could not read "+capList(names)+", so the dependencies they declare cannot be judged; not passing on what was not read")
		fixes = append(fixes, "fix the files that could not be read and push again (or /ospo recheck if it was GitHub's error)")
	}
	f := failed(RuleDependencies, mode, strings.Join(msgs, "; "), strings.Join(fixes, "; "))
	f.Details = dependencyTable(append(append(denied, unknown...), fine...), unread, other)
	f.Annotations = dependencyAnnotations(append(denied, unknown...), unread)
	return f
}

// judgement is every judged dependency of a pull request, by verdict.
type judgement struct {
	judge                      licenceJudge
	scopes                     []string
	all, denied, unknown, fine []judgedDep
	unread                     []UnreadManifest
	other                      string // the dependencies of other scopes, not judged
}

func judgeDependencies(pr *PullRequest, r policy.DependenciesRule) judgement {
	jd := judgement{judge: newLicenceJudge(r.Allowed, r.Denied), scopes: r.Scopes, unread: pr.Dependencies.Unread}
	if jd.scopes == nil {
		jd.scopes = []string{"runtime"}
	}
	skippedScopes := map[string]int{}
	for _, d := range pr.Dependencies.Added {
		scope := strings.ToLower(strings.TrimSpace(d.Scope))
		if scope != "" && scope != "unknown" && !slices.ContainsFunc(jd.scopes, func(s string) bool { return strings.EqualFold(s, scope) }) {
			skippedScopes[scope]++
			continue
		}
		jd.all = append(jd.all, judgeDependency(d, jd.judge, pr.Allowed, r.Exceptions))
	}
	for _, j := range jd.all {
		switch j.kind {
		case depFails:
			jd.denied = append(jd.denied, j)
		case depUnknown:
			jd.unknown = append(jd.unknown, j)
		default:
			jd.fine = append(jd.fine, j)
		}
	}
	jd.other = otherScopes(skippedScopes)
	return jd
}

// DependenciesToFix names, in Markdown, what the author of a pull request
// must fix for the enforced dependencies rule: each dependency under a
// licence the policy does not allow (with its licence) and each manifest
// that could not be read. None when the rule is not enforced, the
// dependencies were not gathered, or only unknown licences fail (the
// author cannot fix what nobody knows; an approver decides).
func DependenciesToFix(pr *PullRequest, r policy.DependenciesRule) []string {
	if r.Mode != policy.Enforce || pr == nil || pr.Dependencies == nil {
		return nil
	}
	jd := judgeDependencies(pr, r)
	out := depNames(jd.denied, true)
	for _, u := range jd.unread {
		out = append(out, inert.Code(cut(u.Path, 200))+" (could not be read: "+inert.Text(cut(u.Why, 200))+")")
	}
	return out
}

// depKind is a dependency's verdict.
type depKind int

const (
	depPasses  depKind = iota // its licence is allowed
	depAllowed                // an approver or ospo.yml allowed it
	depFails                  // its licence is not allowed or denied
	depUnknown                // nobody knows its licence
)

// judgedDep is a dependency and its verdict.
type judgedDep struct {
	dep  Dependency
	purl string
	kind depKind
	// why is plain text: why it fails or is unknown.
	why string
	// by and reason say who allowed it (by: a login; "" for ospo.yml).
	by, reason string
}

func judgeDependency(d Dependency, judge licenceJudge, allowed []PackageAllowance, exceptions []policy.DependencyException) judgedDep {
	j := judgedDep{dep: d, purl: dependencyPURL(d)}
	if p, err := purl.Parse(j.purl); err == nil {
		for _, a := range allowed {
			if pat, err := purl.Parse(a.Package); err == nil && pat.Match(p) {
				j.kind, j.by, j.reason = depAllowed, a.Login, a.Reason
				return j
			}
		}
		for _, e := range exceptions {
			if pat, err := purl.Parse(e.Package); err == nil && pat.Match(p) {
				j.kind, j.reason = depAllowed, e.Reason
				return j
			}
		}
	}
	v := judge.judge(d.License)
	switch {
	case !v.known:
		j.kind, j.why = depUnknown, v.why
	case !v.ok:
		j.kind, j.why = depFails, v.why
	}
	return j
}

// dependencyPURL is the dependency's package URL, with its version.
func dependencyPURL(d Dependency) string {
	p := strings.TrimSpace(d.PURL)
	if p == "" {
		return purl.Of(d.Ecosystem, d.Name, d.Version)
	}
	if d.Version != "" && !strings.Contains(p[strings.LastIndex(p, "/")+1:], "@") {
		p += "@" + d.Version
	}
	return p
}

// depName names a dependency in Markdown: its package URL (or name) as
// code, and with its licence its licence.
func depName(j judgedDep, licence bool) string {
	name := j.purl
	if name == "" {
		name = strings.TrimSpace(j.dep.Name + " " + j.dep.Version)
	}
	s := inert.Code(cut(name, 120))
	if licence {
		if l := strings.TrimSpace(j.dep.License); l != "" {
			s += " (" + inert.Code(cut(l, 80)) + ")"
		}
	}
	return s
}

func depNames(js []judgedDep, licence bool) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = depName(j, licence)
	}
	return out
}

func countKind(js []judgedDep, k depKind) int {
	n := 0
	for _, j := range js {
		if j.kind == k {
			n++
		}
	}
	return n
}

// otherScopes names the dependencies not judged for their scope: "2
// development dependencies".
func otherScopes(n map[string]int) string {
	var scopes []string
	for s := range n {
		scopes = append(scopes, s)
	}
	slices.Sort(scopes)
	var out []string
	for _, s := range scopes {
		out = append(out, fmt.Sprintf("%d %s", n[s], inert.Text(cut(s, 40))))
	}
	if len(out) == 0 {
		return ""
	}
	return listAnd(out) + " " + map[bool]string{true: "dependency", false: "dependencies"}[len(out) == 1 && n[scopes[0]] == 1]
}

// unknownMode is how `unknown` counts: warn unless it says enforce (a
// dependency with no known licence is never a silent pass).
func unknownMode(m policy.Mode) policy.Mode {
	if m == policy.Enforce {
		return policy.Enforce
	}
	return policy.Warn
}

// weaker is the weaker of two active modes.
func weaker(a, b policy.Mode) policy.Mode {
	if a == policy.Warn || b == policy.Warn {
		return policy.Warn
	}
	return a
}

// Limits of the details table: GitHub shows 65,535 bytes of a check
// run's summary, shared with the other rules.
const (
	maxDependencyRows  = 100
	maxDependencyBytes = 18_000
)

// dependencyTable is the check run's table of the judged dependencies,
// failing ones first, and the manifests that could not be read.
func dependencyTable(js []judgedDep, unread []UnreadManifest, other string) string {
	var b strings.Builder
	b.WriteString("**Dependencies added or changed**\n\n| package | version | licence | verdict | licence from |\n| --- | --- | --- | --- | --- |\n")
	for i, j := range js {
		if i == maxDependencyRows || b.Len() > maxDependencyBytes {
			fmt.Fprintf(&b, "\n… and %d more\n", len(js)-i)
			break
		}
		version := "—"
		if j.dep.Version != "" {
			version = tableCode(cut(j.dep.Version, 60))
		}
		if j.dep.Previous != "" && j.dep.Previous != j.dep.Version {
			version = tableCode(cut(j.dep.Previous, 60)) + " → " + version
		}
		licence := "unknown"
		if l := strings.TrimSpace(j.dep.License); l != "" {
			licence = tableCode(cut(l, 80))
		}
		source := inert.Text(cut(j.dep.LicenseSource, 20))
		if source == "" {
			source = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", tableCode(cut(j.purlOrName(), 120)), version, licence, verdictCell(j), source)
	}
	if len(js) == 0 {
		b.Reset()
	}
	if len(unread) > 0 {
		b.WriteString("\n**Not read** (the rule fails until they can be read):\n\n")
		for i, u := range unread {
			if i == maxListed {
				fmt.Fprintf(&b, "- … and %d more\n", len(unread)-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s\n", inert.Code(cut(u.Path, 200)), inert.Text(cut(u.Why, 300)))
		}
	}
	if other != "" {
		fmt.Fprintf(&b, "\nNot judged (scopes the policy leaves out): %s.\n", other)
	}
	return b.String()
}

func (j judgedDep) purlOrName() string {
	if j.purl != "" {
		return j.purl
	}
	return strings.TrimSpace(j.dep.Ecosystem + " " + j.dep.Name)
}

func verdictCell(j judgedDep) string {
	switch j.kind {
	case depFails:
		return "❌ " + inert.Text(cut(j.why, 200))
	case depUnknown:
		return "⚠️ unknown: " + inert.Text(cut(j.why, 200))
	case depAllowed:
		if j.by != "" {
			return "✅ allowed by " + inert.Mention(j.by) + ": " + inert.Text(cut(j.reason, 200))
		}
		return "✅ exception in ospo.yml: " + inert.Text(cut(j.reason, 200))
	}
	return "✅ allowed"
}

// tableCode is s as code in a table cell ("|" escaped: GFM splits cells
// before it reads code spans).
func tableCode(s string) string { return strings.ReplaceAll(inert.Code(s), "|", `\|`) }

// dependencyAnnotations point at each failing dependency's line in its
// manifest, and at each manifest that could not be read, in plain text.
func dependencyAnnotations(js []judgedDep, unread []UnreadManifest) []Annotation {
	var out []Annotation
	for _, j := range js {
		if j.dep.Manifest == "" {
			continue
		}
		name := cut(j.purlOrName(), 200)
		licence := cut(strings.TrimSpace(j.dep.License), 100)
		var msg string
		title := "Dependency licence not allowed"
		switch j.kind {
		case depUnknown:
			title = "Dependency licence unknown"
			msg = fmt.Sprintf("%s: %s. Find its licence; if it may be used, an OSPO approver comments on the pull request: /ospo allow %s <reason>", name, cut(j.why, 200), name)
		default:
			msg = fmt.Sprintf("%s is under %s: %s. Use a package under an allowed licence, or ask an OSPO approver to comment on the pull request: /ospo allow %s <reason>", name, licence, cut(j.why, 200), name)
		}
		out = append(out, Annotation{File: j.dep.Manifest, Line: j.dep.Line, Title: title, Message: oneLine(msg)})
	}
	for _, u := range unread {
		out = append(out, Annotation{File: u.Path, Title: "Manifest not read",
			Message: oneLine(fmt.Sprintf("%s could not be read: %s. The dependencies rule fails until it can be read.", cut(u.Path, 200), cut(u.Why, 300)))})
	}
	return out
}

var dependenciesEntry = Rule{
	ID: RuleDependencies, Scope: PullRequestScope, Section: "pull_request.dependencies",
	Anchor:  "pull_requestdependencies--the-licences-of-the-dependencies-a-pull-request-brings-in",
	Summary: "the dependencies a pull request adds or changes are under licences the policy allows (unknown licences never pass silently)",
	Mode:    func(p *policy.Policy) policy.Mode { return p.PullRequest.Dependencies.Mode },
	Needs:   Needs{ChangedFiles: true, Dependencies: true},
	Check: func(in Input) Finding {
		return Dependencies(in.PR, in.Policy.PullRequest.Dependencies)
	},
}
