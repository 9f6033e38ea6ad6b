package rules

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// RuleSecurityPolicy is the security-policy rule's id.
const RuleSecurityPolicy = "security-policy"

// securityFiles is the security policy GitHub shows: SECURITY with one
// extension or none, in .github/, the root or docs/, in that order (GitHub's
// order for community health files), or else the org's default one.
var securityFiles = FileSet{
	Dirs:       []string{".github", "", "docs"},
	Match:      func(name string) bool { return strings.EqualFold(baseOf(name), "SECURITY") },
	First:      true,
	OrgDefault: true,
}

var securityPolicyEntry = Rule{
	ID: RuleSecurityPolicy, Scope: RepositoryScope, Section: "repository.security_policy",
	Anchor:  "repositorysecurity_policy--a-private-way-to-report-a-vulnerability",
	Summary: "a SECURITY.md (here or the org's default) naming a private way to report a vulnerability: an email address, a URL, or private vulnerability reporting turned on",
	Mode:    func(p *policy.Policy) policy.Mode { return p.Repository.SecurityPolicy.Mode },
	Needs: Needs{
		Dirs:             []string{"", ".github", "docs"},
		Read:             []FileSet{securityFiles},
		OrgHealth:        true,
		Health:           func(*policy.Policy) []string { return []string{"SECURITY"} },
		PrivateReporting: true,
	},
	Stale: Stale{Changed: []string{"security", "security.*", ".github/security", ".github/security.*", "docs/security", "docs/security.*"}},
	Check: func(in Input) Finding { return SecurityPolicy(in.Repo, in.Policy.Repository.SecurityPolicy) },
}

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	urlRE   = regexp.MustCompile(`https?://[^\s<>()\[\]"'` + "`" + `]+`)
)

// SecurityPolicy checks that the repository has a security policy, its own
// or the org's default, and that it names a private way to report a
// vulnerability: an email address, a URL (not the public issues,
// discussions or pull requests of a GitHub repository), or GitHub's
// private vulnerability reporting turned on for the repository.
func SecurityPolicy(s *Snapshot, r policy.SecurityPolicyRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleSecurityPolicy, r.Mode)
	}
	s = orEmpty(s)
	file, text, fromOrg := securityPolicyText(s)
	reporting := s.PrivateReporting != nil && *s.PrivateReporting
	if file == "" {
		if reporting {
			return failed(RuleSecurityPolicy, r.Mode,
				fmt.Sprintf("no SECURITY.md in .github/, the root or docs/ of %s, nor in the org's public .github repository; private vulnerability reporting is on, but nothing tells reporters so", branch(s)),
				"add .github/SECURITY.md saying that vulnerabilities are reported privately under Security → Report a vulnerability")
		}
		return failed(RuleSecurityPolicy, r.Mode,
			fmt.Sprintf("no SECURITY.md in .github/, the root or docs/ of %s, nor in the org's public .github repository", branch(s)),
			"add .github/SECURITY.md naming a private way to report a vulnerability (an email address or a URL), or turn on private vulnerability reporting (Settings → Code security) and say so in it")
	}
	where := inert.Code(file)
	if fromOrg {
		where += " of the org's .github repository"
	}
	switch ch := channel(text); {
	case ch != "":
		f := passed(RuleSecurityPolicy, r.Mode, fmt.Sprintf("%s names a private reporting channel: %s", where, ch))
		if !fromOrg {
			f.File = file
		}
		return f
	case reporting:
		return passed(RuleSecurityPolicy, r.Mode, fmt.Sprintf("%s is there and private vulnerability reporting is on", where))
	}
	f := failed(RuleSecurityPolicy, r.Mode,
		fmt.Sprintf("%s names no private way to report a vulnerability (no email address or URL), and private vulnerability reporting is off", where),
		"name an email address or a URL for reports in it, or turn on private vulnerability reporting (Settings → Code security)")
	if !fromOrg {
		f.File = file
	}
	return f
}

// securityPolicyText is the security policy GitHub shows for the
// repository: its own, or the org's default.
func securityPolicyText(s *Snapshot) (file, text string, fromOrg bool) {
	if found := securityFiles.Find(s.Paths); len(found) > 0 {
		return found[0], s.Contents[found[0]], false
	}
	if found := securityFiles.Find(s.OrgDefaults); len(found) > 0 {
		return found[0], s.OrgContents[found[0]], true
	}
	return "", "", false
}

// channel is the first private reporting channel the text names, as code,
// or "".
func channel(text string) string {
	if m := emailRE.FindString(text); m != "" {
		return inert.Code(m)
	}
	for _, m := range urlRE.FindAllString(text, -1) {
		m = strings.TrimRight(m, ".,;:!?")
		if u, err := url.Parse(m); err == nil && u.Host != "" && !publicTracker(u) {
			return inert.Code(m)
		}
	}
	return ""
}

// publicTracker reports whether a URL is a GitHub repository's public
// issues, discussions or pull requests: a place everyone reads, no private
// channel.
func publicTracker(u *url.URL) bool {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 3 {
		return false
	}
	switch parts[2] {
	case "issues", "discussions", "pulls", "pull":
		return true
	}
	return false
}
