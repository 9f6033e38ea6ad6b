package githubfake

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/manifest"
)

// Dependency review
// (https://docs.github.com/rest/dependency-graph/dependency-review#get-a-diff-of-the-dependencies-between-commits):
// GET /repos/{owner}/{repo}/dependency-graph/compare/{base}...{head}
// lists the packages added and removed between the merge base of base and
// head and head, manifest by manifest, as GitHub's dependency graph reads
// them from the manifests and lock files (here: internal/manifest). A
// version change is a "removed" entry and an "added" one. The optional
// `name` query keeps one manifest. A private repository without GitHub
// Advanced Security, or a fork, is refused with 403; an unknown repository
// or ref is 404. Licences come from SetPackageLicense (null otherwise).

// dependencyChange is one entry of the answer (schema dependency-graph-diff).
type dependencyChange struct {
	ChangeType          string  `json:"change_type"`
	Manifest            string  `json:"manifest"`
	Ecosystem           string  `json:"ecosystem"`
	Name                string  `json:"name"`
	Version             string  `json:"version"`
	PackageURL          *string `json:"package_url"`
	License             *string `json:"license"`
	SourceRepositoryURL *string `json:"source_repository_url"`
	Vulnerabilities     []any   `json:"vulnerabilities"`
	Scope               string  `json:"scope"`
}

func (f *Fake) compareDependencies(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	if (r.private && !r.advancedSecurity) || r.fork {
		return forbidden("Dependency review is not supported on this repository. Please ensure that Dependency graph is enabled along with GitHub Advanced Security on private repositories, see " +
			f.opts.WebURL + "/" + r.fullName() + "/settings/security_analysis")
	}
	base, head, found := compareEnds(r, c.param("basehead"))
	if !found {
		return notFound()
	}
	from := map[string]string{}
	if mb := r.mergeBase(base.sha, head.sha); mb != nil {
		from = mb.files
	}
	only, filtered := c.query["name"]
	out := []dependencyChange{}
	paths := map[string]bool{}
	for p := range maps.Keys(from) {
		paths[p] = true
	}
	for p := range maps.Keys(head.files) {
		paths[p] = true
	}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		if !manifest.Recognised(p) || from[p] == head.files[p] || (filtered && (len(only) == 0 || only[0] != p)) {
			continue
		}
		before, errB := parseOrNone(p, from)
		after, errA := parseOrNone(p, head.files)
		if errB != nil || errA != nil {
			// GitHub's dependency graph skips a manifest it cannot read.
			continue
		}
		out = append(out, f.dependencyDiff(p, "removed", before, after)...)
		out = append(out, f.dependencyDiff(p, "added", after, before)...)
	}
	return ok(out)
}

func parseOrNone(path string, files map[string]string) ([]manifest.Package, error) {
	data, ok := files[path]
	if !ok {
		return nil, nil
	}
	return manifest.Parse(path, []byte(data))
}

// dependencyDiff lists the packages of these that others lacks.
func (f *Fake) dependencyDiff(path, changeType string, these, others []manifest.Package) []dependencyChange {
	had := map[string]bool{}
	for _, p := range others {
		had[p.PURL()] = true
	}
	var out []dependencyChange
	for _, p := range these {
		purl := p.PURL()
		if had[purl] {
			continue
		}
		scope := p.Scope
		if scope != "runtime" && scope != "development" {
			scope = "unknown"
		}
		d := dependencyChange{ChangeType: changeType, Manifest: path, Ecosystem: p.Ecosystem, Name: p.Name,
			Version: p.Version, PackageURL: ptr(purl), Vulnerabilities: []any{}, Scope: scope}
		if l, ok := f.st.packageLicenses[purl]; ok {
			d.License = ptr(l)
		}
		out = append(out, d)
	}
	// The same answer for the same commits (its ETag too), whatever
	// order the manifest lists them in.
	slices.SortStableFunc(out, func(a, b dependencyChange) int {
		return strings.Compare(a.Name+"@"+a.Version, b.Name+"@"+b.Version)
	})
	return out
}

// SetPackageLicense says which licence GitHub's dependency graph knows for
// a package URL ("" forgets it: the dependency review then gives null).
func (f *Fake) SetPackageLicense(purl, spdx string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if spdx == "" {
		delete(f.st.packageLicenses, purl)
		return
	}
	f.st.packageLicenses[purl] = spdx
}

// SetAdvancedSecurity turns GitHub Advanced Security on or off for a
// repository: a private repository's dependency review needs it.
func (f *Fake) SetAdvancedSecurity(owner, repoName string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	r.advancedSecurity = on
	return nil
}
