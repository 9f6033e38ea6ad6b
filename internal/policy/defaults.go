package policy

import "slices"

// Default license-matching thresholds, in percent, tuned against real
// license texts (the measurements are in testdata/licenses/README.md).
const (
	// DefaultMinCoverage is the share of a LICENSE file's words that
	// google/licensecheck attributes to licenses. Real files leave a title
	// and a copyright line over (97.7 to 100 for the LICENSE files of this
	// module's dependencies); an MIT file with a two-line notice of its
	// own appended has 86.5.
	DefaultMinCoverage = 92
	// DefaultMinMatch is how much of each matched license's standard text
	// the file contains. Apache-2.0 without its appendix has 89; the
	// appendix's notice alone, which licensecheck also reports as
	// Apache-2.0, has 5.
	DefaultMinMatch = 85
	// DefaultReviewLabel marks OSPO review issues.
	DefaultReviewLabel = "ospo-review"
	// DefaultCLAPhrase is the comment that signs the CLA.
	DefaultCLAPhrase = "I have read the CLA Document and I hereby sign the CLA"
	// DefaultCLAVersion is the CLA version when the policy names none.
	DefaultCLAVersion = "1"
)

// DefaultProtectedPaths are the files whose changes need an OSPO approval
// when the policy lists none: the license, the code owners and the
// repository's policy override.
func DefaultProtectedPaths() []string {
	return []string{"LICENSE*", "COPYING*", "CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".github/ospo.yml"}
}

// DefaultSPDXHeaderPaths are the files that need an SPDX header when the
// policy lists none: the source files of common languages.
func DefaultSPDXHeaderPaths() []string {
	return []string{"**/*.go", "**/*.c", "**/*.h", "**/*.cc", "**/*.cpp", "**/*.hpp", "**/*.java", "**/*.kt",
		"**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx", "**/*.ts", "**/*.tsx", "**/*.py", "**/*.rs", "**/*.rb", "**/*.sh", "**/*.cs", "**/*.swift"}
}

// Defaults is the policy in force when no file sets anything: approved
// permissive licenses enforced, CODEOWNERS and community files warned
// about, topics, labels and the security policy off, repository overrides allowed; on pull
// requests, changes to protected paths (license, code owners, the policy
// override) need an OSPO approval, and the CLA, DCO and label rules are off.
func Defaults() Policy { return Policy{}.WithDefaults() }

// WithDefaults fills every zero value with its default. A nil list means
// "not set" and gets the default list; an empty list set explicitly
// (allowed: []) stays empty.
func (p Policy) WithDefaults() Policy {
	if p.AllowRepoOverride == nil {
		allow := true
		p.AllowRepoOverride = &allow
	} else {
		allow := *p.AllowRepoOverride
		p.AllowRepoOverride = &allow
	}
	p.Locked = slices.Clone(p.Locked)

	p.Review.Approvers = slices.Clone(p.Review.Approvers)
	if p.Review.Label == "" {
		p.Review.Label = DefaultReviewLabel
	}

	r := &p.Repository
	orMode(&r.License.Mode, Enforce)
	r.License.Allowed = orList(r.License.Allowed, []string{"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0"})
	if r.License.MinCoverage == 0 {
		r.License.MinCoverage = DefaultMinCoverage
	}
	if r.License.MinMatch == 0 {
		r.License.MinMatch = DefaultMinMatch
	}
	orMode(&r.Codeowners.Mode, Warn)
	orMode(&r.Files.Mode, Warn)
	r.Files.Required = orList(r.Files.Required, []string{"README", "CONTRIBUTING", "SECURITY", "CODE_OF_CONDUCT"})
	orMode(&r.Topics.Mode, Off)
	r.Topics.OneOf = slices.Clone(r.Topics.OneOf)
	orMode(&r.Labels.Mode, Off)
	r.Labels.Required = slices.Clone(r.Labels.Required)
	orMode(&r.SecurityPolicy.Mode, Off)

	pr := &p.PullRequest
	orMode(&pr.CLA.Mode, Off)
	if pr.CLA.Version == "" {
		pr.CLA.Version = DefaultCLAVersion
	}
	if pr.CLA.Phrase == "" {
		pr.CLA.Phrase = DefaultCLAPhrase
	}
	bots := pr.CLA.Allow.BotsAllowed()
	pr.CLA.Allow.Bots = &bots
	pr.CLA.Allow.Users = slices.Clone(pr.CLA.Allow.Users)
	pr.CLA.Allow.Orgs = slices.Clone(pr.CLA.Allow.Orgs)
	pr.CLA.Allow.EmailDomains = slices.Clone(pr.CLA.Allow.EmailDomains)
	if pr.CLA.Agents == "" {
		pr.CLA.Agents = AgentsSponsor
	}
	pr.CLA.AgentIdentities = slices.Clone(pr.CLA.AgentIdentities)
	orMode(&pr.DCO.Mode, Off)
	orMode(&pr.Labels.Mode, Off)
	pr.Labels.OneOf = pr.Labels.OneOf.Clone()
	pr.Labels.Patterns = slices.Clone(pr.Labels.Patterns)
	orMode(&pr.ProtectedPaths.Mode, Enforce)
	pr.ProtectedPaths.Paths = orList(pr.ProtectedPaths.Paths, DefaultProtectedPaths())
	d := &pr.Dependencies
	orMode(&d.Mode, Off)
	d.Allowed = slices.Clone(d.Allowed)
	d.Denied = slices.Clone(d.Denied)
	orMode(&d.Unknown, Warn)
	d.Scopes = orList(d.Scopes, []string{"runtime"})
	d.Exceptions = slices.Clone(d.Exceptions)
	h := &pr.SPDXHeaders
	orMode(&h.Mode, Off)
	h.Paths = orList(h.Paths, DefaultSPDXHeaderPaths())
	h.Exclude = slices.Clone(h.Exclude)
	h.Allowed = orList(h.Allowed, r.License.Allowed)
	return p
}

func orMode(m *Mode, def Mode) {
	if *m == "" {
		*m = def
	}
}

// orList returns a copy of l, or def when l is nil.
func orList(l, def []string) []string {
	if l == nil {
		return def
	}
	return slices.Clone(l)
}
