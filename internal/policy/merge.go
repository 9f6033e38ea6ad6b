package policy

import (
	"fmt"
	"reflect"
	"strings"
)

// ReferenceURL documents every key of ospo.yml and its default; RuleURL
// links there for a rule no policy file mentions.
const ReferenceURL = "https://github.com/ospo-bot/ospo-bot#policy-reference"

// Effective is the policy in force for a repository and where it came from.
type Effective struct {
	// Policy is the merged policy with defaults filled in.
	Policy Policy
	// Version identifies the text in force, e.g.
	// "acme/.github:ospo.yml@3f2a9c1b0d4e+acme/widget:.github/ospo.yml@0c1d2e3f4a5b",
	// or "defaults" when no file applies.
	Version string
	// Sources are the files read: the org's ospo.yml first, then the
	// repository override.
	Sources []Source
	// Notices are overrides that were not applied, and similar things the
	// people concerned should see.
	Notices []Notice

	org, repo *Document
	// origins tells, for each leaf field a file sets, which file applies.
	origins map[string]*Document
}

// Merge gives the effective policy of a repository: the org's policy,
// overridden field by field by the repository's override where the org
// allows it, then the defaults. Either document may be nil (no file).
// Every override that is not applied yields a Notice.
func Merge(org, repo *Document) (Policy, []Notice) {
	e := Resolve(org, repo)
	return e.Policy, e.Notices
}

// Resolve merges as Merge does and records the sources and the version.
//
// Merging follows the YAML: mappings are merged key by key, recursively;
// anything else (a mode, a number, a list) set in the override replaces the
// org's value whole — lists are never appended. A key set to null (or left
// empty) is not set. An override is not applied when the org file sets
// allow_repo_override: false, or lists the field or one of its parents in
// locked.
func Resolve(org, repo *Document) *Effective {
	e := &Effective{org: org, repo: repo, origins: map[string]*Document{}}
	var merged Policy
	if org != nil {
		e.Sources = append(e.Sources, org.Source)
		merged = org.Policy
		for _, l := range org.leaves {
			e.origins[l.path] = org
		}
	}
	if repo != nil {
		e.Sources = append(e.Sources, repo.Source)
		allow := merged.AllowRepoOverride == nil || *merged.AllowRepoOverride
		dst, src := reflect.ValueOf(&merged).Elem(), reflect.ValueOf(repo.Policy)
		for _, l := range repo.leaves {
			if reason := blocked(l.path, allow, merged.Locked); reason != "" {
				e.Notices = append(e.Notices, Notice{File: repo.File, Line: l.key.Line, Column: l.key.Column,
					Message: l.path + reason})
				continue
			}
			to, ok1 := valueAt(dst, l.path)
			from, ok2 := valueAt(src, l.path)
			if ok1 && ok2 {
				to.Set(from)
				e.origins[l.path] = repo
			}
		}
	}
	e.Policy = merged.WithDefaults()
	e.Version = version(e.Sources)
	e.checkMerged()
	return e
}

// checkMerged reports what only the merged policy shows: an override that
// turns the CLA rule on where neither file names the CLA document (the
// org file alone cannot: Parse rejects it). The cla rule then fails.
func (e *Effective) checkMerged() {
	cla := e.Policy.PullRequest.CLA
	if !cla.Mode.On() || cla.Document != "" {
		return
	}
	// The file whose value applies: the override's when it set the mode
	// or cleared the document.
	for _, d := range []*Document{e.repo, e.org} {
		for _, path := range []string{"pull_request.cla.mode", "pull_request.cla.document"} {
			if d == nil || e.origins[path] != d {
				continue
			}
			k := d.keys[path]
			e.Notices = append(e.Notices, Notice{File: d.File, Line: k.Line, Column: k.Column,
				Message: fmt.Sprintf("pull_request.cla.mode is %s but no pull_request.cla.document is set, here or in the org's ospo.yml: the cla rule fails until one is", cla.Mode)})
			return
		}
	}
}

// blocked tells why the org policy keeps its value for path, or "".
func blocked(path string, allow bool, locked []string) string {
	// Who decides reviews and where they happen is the OSPO's: a
	// repository must not name its own approvers.
	if path == "review" || strings.HasPrefix(path, "review.") {
		return " is set by the org's ospo.yml only: a repository may not change who reviews it; the org's value applies"
	}
	if !allow {
		return " is ignored: the org policy sets allow_repo_override: false; the org's value applies"
	}
	for _, l := range locked {
		if path == l {
			return " is locked by the org policy; the org's value applies"
		}
		if strings.HasPrefix(path, l+".") {
			return fmt.Sprintf(" is locked by the org policy (locked: %s); the org's value applies", l)
		}
	}
	return ""
}

func version(sources []Source) string {
	if len(sources) == 0 {
		return "defaults"
	}
	parts := make([]string, len(sources))
	for i, s := range sources {
		parts[i] = s.Version()
	}
	return strings.Join(parts, "+")
}

// rulePaths are the keys a rule id may name: the id itself as a dotted
// path ("review"), or the rule under repository or pull_request with "-"
// written "_" ("security-policy" is repository.security_policy,
// "protected-paths" pull_request.protected_paths); "pr-labels" is
// pull_request.labels. rules' registry test holds every rule's Section to
// this.
func rulePaths(rule string) []string {
	key := strings.ReplaceAll(rule, "-", "_")
	return []string{rule, "repository." + key, "pull_request." + key, "pull_request." + strings.TrimPrefix(key, "pr_")}
}

// RuleURL links to where a rule is configured: the line of the rule's key
// in the file that sets it (the override when it sets the rule and may, the
// org file otherwise), on GitHub under webBase ("https://github.com" or a
// GitHub Enterprise Server's address). rule is a rule id ("license",
// "codeowners", ..., and the pull request rules "cla", "dco", "pr-labels",
// "protected-paths") or a dotted path ("review"). When no file on GitHub
// mentions the rule, the defaults apply and the link is ReferenceURL.
func (e *Effective) RuleURL(webBase, rule string) string {
	if e == nil {
		return ReferenceURL
	}
	for _, path := range rulePaths(rule) {
		if _, ok := typeAt(path); !ok {
			continue
		}
		if e.repo != nil && e.repo.keys[path] != nil && e.applied(path) {
			if u := blobURL(webBase, e.repo, path); u != "" {
				return u
			}
		}
		if e.org != nil && e.org.keys[path] != nil {
			if u := blobURL(webBase, e.org, path); u != "" {
				return u
			}
		}
	}
	return ReferenceURL
}

// applied reports whether the override's value applies to path or a field
// under it.
func (e *Effective) applied(path string) bool {
	for p, d := range e.origins {
		if d == e.repo && (p == path || strings.HasPrefix(p, path+".")) {
			return true
		}
	}
	return false
}

func blobURL(webBase string, d *Document, path string) string {
	if d.Source.Repo == "" {
		return ""
	}
	ref := d.Source.Ref
	if ref == "" {
		ref = "HEAD"
	}
	u := strings.TrimSuffix(webBase, "/") + "/" + d.Source.Repo + "/blob/" + ref + "/" + d.Source.Path
	if k := d.keys[path]; k != nil {
		u += fmt.Sprintf("#L%d", k.Line)
	}
	return u
}

// Documents are the files merged: the org's and the repository
// override's, either nil when there was none.
func (e *Effective) Documents() (org, override *Document) { return e.org, e.repo }
