package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// orgDefaultable are the community health files GitHub takes from the org's
// .github repository when a repository has none (never README, LICENSE or
// CODEOWNERS).
var orgDefaultable = []string{
	"CODE_OF_CONDUCT", "CONTRIBUTING", "FUNDING", "GOVERNANCE", "SECURITY", "SUPPORT",
	"ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE",
}

// templateDirs may be directories (.github/ISSUE_TEMPLATE/).
var templateDirs = []string{"ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE"}

// Files checks that each required file exists in the root, .github/ or docs/
// with any extension, or, for community health files, in the org's .github
// repository.
func Files(s *Snapshot, r policy.FilesRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleFiles, r.Mode)
	}
	s = orEmpty(s)
	required := requiredFiles(r.Required)
	var missing, fromOrg []string
	for _, name := range required {
		switch {
		case hasFile(s.Paths, name):
		case canComeFromOrg(name) && hasFile(s.OrgDefaults, name):
			fromOrg = append(fromOrg, name)
		default:
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return failed(RuleFiles, r.Mode,
			fmt.Sprintf("missing %s in the root, .github/ or docs/ of %s", capList(missing), branch(s)),
			fmt.Sprintf("add %s to the root, .github/ or docs/%s", capList(withMarkdown(missing)), orgHint(missing)))
	}
	msg := fmt.Sprintf("%s present", capList(required))
	if len(required) == 0 {
		msg = "the policy requires no files"
	}
	if len(fromOrg) > 0 {
		msg += fmt.Sprintf("; %s from the org's .github repository", listAnd(fromOrg))
	}
	return passed(RuleFiles, r.Mode, msg)
}

// requiredFiles returns the base names to look for: the configured names
// without a known extension ("SECURITY.md" is SECURITY), without repeats.
// The defaults are the policy's (policy.WithDefaults): an empty list,
// set explicitly, requires nothing.
func requiredFiles(configured []string) []string {
	var out []string
	for _, name := range configured {
		base := baseName(strings.TrimSpace(name))
		if base != "" && !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, base) }) {
			out = append(out, base)
		}
	}
	return out
}

// baseName strips one known documentation extension.
func baseName(name string) string {
	ext := path.Ext(name)
	switch strings.ToLower(ext) {
	case ".md", ".txt", ".rst", ".adoc", ".markdown", ".org", ".yml", ".yaml":
		return strings.TrimSuffix(name, ext)
	}
	return name
}

// hasFile reports whether paths has a file named base, with one extension
// or none, in the root, .github/ or docs/ (case-insensitive).
func hasFile(paths []string, base string) bool {
	for _, p := range paths {
		isDir := strings.HasSuffix(p, "/")
		dir, name := path.Split(strings.TrimSuffix(p, "/"))
		if !inHealthDir(dir) {
			continue
		}
		if isDir {
			if strings.EqualFold(name, base) && slices.ContainsFunc(templateDirs, func(t string) bool { return strings.EqualFold(t, base) }) {
				return true
			}
			continue
		}
		if strings.EqualFold(name, base) || strings.EqualFold(baseOf(name), base) {
			return true
		}
	}
	return false
}

// baseOf is name without its extension, when it has exactly one.
func baseOf(name string) string {
	base, _, ok := strings.Cut(name, ".")
	if !ok || strings.Contains(name[len(base)+1:], ".") {
		return name
	}
	return base
}

func inHealthDir(dir string) bool {
	switch strings.ToLower(dir) {
	case "", ".github/", "docs/":
		return true
	}
	return false
}

func canComeFromOrg(base string) bool {
	return slices.ContainsFunc(orgDefaultable, func(x string) bool { return strings.EqualFold(x, base) })
}

func withMarkdown(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + ".md"
	}
	return out
}

// orgHint tells where else community health files can live.
func orgHint(missing []string) string {
	var shared []string
	for _, m := range missing {
		if canComeFromOrg(m) {
			shared = append(shared, m)
		}
	}
	if len(shared) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s may instead live in the org's .github repository)", listOr(shared))
}

var filesEntry = Rule{
	ID: RuleFiles, Scope: RepositoryScope, Section: "repository.files",
	Anchor:  "repositoryfiles--community-files",
	Summary: "the required files (README, CONTRIBUTING, SECURITY, CODE_OF_CONDUCT by default) in the root, .github/ or docs/, or from the org's .github repository",
	Mode:    func(p *policy.Policy) policy.Mode { return p.Repository.Files.Mode },
	Needs: Needs{
		Dirs:      []string{"", ".github", "docs"},
		OrgHealth: true,
		Health:    func(p *policy.Policy) []string { return requiredFiles(p.Repository.Files.Required) },
	},
	// Only whether a file is there counts: a file added to or removed from
	// the root, .github/ or docs/ (any name: the policy may require any),
	// or a template directory gaining or losing its first file.
	Stale: Stale{Existence: []string{"*", ".github/*", "docs/*",
		"ISSUE_TEMPLATE/*", ".github/ISSUE_TEMPLATE/*", "docs/ISSUE_TEMPLATE/*",
		"PULL_REQUEST_TEMPLATE/*", ".github/PULL_REQUEST_TEMPLATE/*", "docs/PULL_REQUEST_TEMPLATE/*"}},
	Check: func(in Input) Finding { return Files(in.Repo, in.Policy.Repository.Files) },
}
