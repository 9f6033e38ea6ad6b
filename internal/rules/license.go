package rules

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/google/licensecheck"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// The default thresholds are policy.DefaultMinCoverage and DefaultMinMatch,
// used when the policy leaves them at zero; the measurements behind them are
// in testdata/licenses/README.md.
const (
	// lookalikeFloor: similarity (percent) from which a text Scan does not
	// identify is reported as an edited copy of the closest license rather
	// than as unknown (the edited MIT text has 94).
	lookalikeFloor = 60
)

// licenseNames are the root files read as the license first, in this
// order (compared case-insensitively); any other root file licenseFileRE
// matches comes after them, by name.
var licenseNames = []string{
	"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE.rst",
	"LICENCE", "LICENCE.md", "LICENCE.txt", "LICENCE.rst",
	"COPYING", "COPYING.md", "COPYING.txt", "COPYING.rst",
}

// licenseFileRE matches the name of a root license file, ignoring case:
// LICENSE, LICENCE (British spelling) or COPYING, optionally with a
// hyphenated suffix naming the license (LICENSE-MIT, LICENSE-APACHE-2.0:
// one file per license of a dual-licensed project), optionally with a text
// extension (.md, .markdown, .txt, .rst). Never a script that merely
// starts with the word (license-checker.js).
var licenseFileRE = regexp.MustCompile(`(?i)^(?:licen[cs]e|copying)(?:-[a-z0-9]+(?:\.[0-9]+)*)*(?:\.(?:md|markdown|txt|rst))?$`)

// LicenseFiles returns the license files at the root among paths (root
// paths as Snapshot.Paths lists them), in the order the rule reads them:
// licenseNames first, then the others by name. The snapshot reads each.
func LicenseFiles(paths []string) []string {
	var named, others []string
	for _, n := range licenseNames {
		for _, p := range paths {
			if strings.EqualFold(p, n) {
				named = append(named, p)
			}
		}
	}
	for _, p := range paths {
		if licenseFileRE.MatchString(p) && !slices.Contains(named, p) {
			others = append(others, p)
		}
	}
	slices.SortFunc(others, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return append(named, others...)
}

// License checks that the root of the default branch has a license file
// whose text is a standard, allowed license (or an allowed combination).
// With several license files (LICENSE-MIT and LICENSE-APACHE), each must
// be a standard license text and together they must be allowed: one id,
// or the ids of one SPDX expression of license.allowed. Without one,
// REUSE's LICENSES/ licenses the repository (checkREUSE). The other
// places that name the licence (an SPDX-License-Identifier line, the
// root manifests' licence fields, LICENSES/) must agree with the files;
// a disagreement fails the rule (judgeSources).
func License(s *Snapshot, r policy.LicenseRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleLicense, r.Mode)
	}
	s = orEmpty(s)
	files, reuse := LicenseFiles(s.Paths), reuseFiles(s.Paths)
	src := readSources(s, files, reuse)
	var f Finding
	switch {
	case len(files) == 0 && len(reuse) == 0:
		f = failed(RuleLicense, r.Mode,
			fmt.Sprintf("no LICENSE file at the root of %s", branch(s)),
			fmt.Sprintf("add a LICENSE file to the root of %s with the unmodified text of %s%s", branch(s), allowedList(r.Allowed), src.declaredHint()))
	case len(files) == 0:
		f = checkREUSE(s, reuse, r)
		f.File = reuse[0]
	case len(files) == 1:
		f = checkLicenseText(s, files[0], r)
		f.File = files[0]
	default:
		f = checkLicenseFiles(s, files, r)
		f.File = files[0]
	}
	if len(files) > 0 && len(reuse) > 0 && f.Result == Pass {
		if g := checkREUSE(s, reuse, r); g.Result == Fail {
			f, f.File = g, reuse[0]
		}
	}
	return judgeSources(f, src, r)
}

// LicenseID is the SPDX identifier of the license at the root of the
// snapshot, for the history: "" when there is no license file (the ids
// of REUSE's LICENSES/ files, joined with " AND ", when only they are),
// "NOASSERTION" when a license file's text was not read (the license rule
// is off, so the gatherer did not read it) or holds no license Scan
// identifies, and the identifiers found otherwise, sorted and joined with
// " AND " when there are several (LICENSE-MIT and LICENSE-APACHE: "Apache-2.0
// AND MIT"). It ignores the policy: an edited copy of a license Scan still
// identifies keeps that license's identifier.
func LicenseID(s *Snapshot) string {
	s = orEmpty(s)
	files := LicenseFiles(s.Paths)
	if len(files) == 0 {
		var ids []string
		for _, p := range reuseFiles(s.Paths) {
			ids = appendNew(ids, reuseID(p))
		}
		slices.Sort(ids)
		return strings.Join(ids, " AND ") // REUSE's LICENSES/, or ""
	}
	var ids []string
	for _, f := range files {
		found := scanLicense(licenseText(s.Contents[f])).ids
		if len(found) == 0 {
			return "NOASSERTION"
		}
		for _, id := range found {
			ids = appendNew(ids, id)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, " AND ")
}

// checkLicenseFiles judges several license files: each on its own, then
// the licenses they hold together.
func checkLicenseFiles(s *Snapshot, files []string, r policy.LicenseRule) Finding {
	var ids []string
	var coverage, share float64 = 100, 100
	for _, file := range files {
		text, read := s.Contents[file]
		text = licenseText(text)
		if !read || strings.TrimSpace(text) == "" || len(r.Allowed) == 0 {
			return checkLicenseText(s, file, r)
		}
		res, allow := scanLicense(text), readAllowed(r.Allowed)
		if len(res.ids) == 0 {
			// One file of several: an edited copy of a license the policy
			// names anywhere is an edited copy, not a disallowed license.
			if like, ok := closestLicense(words(text), lookalikeFloor); ok && allow.mentions(like.id) {
				return edited(inert.Code(file), like.id, 100-like.similarity, r.Mode)
			}
			return unidentified(inert.Code(file), text, res, allow, r)
		}
		minCov, minMatch := thresholds(r)
		if res.coverage < minCov || res.share < minMatch {
			return edited(inert.Code(file), listAnd(res.ids), max(100-res.coverage, 100-res.share), r.Mode)
		}
		for _, id := range res.ids {
			ids = appendNew(ids, id)
		}
		coverage, share = min(coverage, res.coverage), min(share, res.share)
	}
	var quoted []string
	for _, f := range files {
		quoted = append(quoted, inert.Code(f))
	}
	names := listAnd(quoted)
	if allow := readAllowed(r.Allowed); !allow.permits(ids) {
		return disallowed(names, true, ids, allow, r)
	}
	return passed(RuleLicense, r.Mode, fmt.Sprintf("%s are %s (license text: at least %.0f%% of each file, %.0f%% of the standard text)",
		names, listAnd(ids), math.Floor(coverage), math.Floor(share)))
}

func checkLicenseText(s *Snapshot, path string, r policy.LicenseRule) Finding {
	text, read := s.Contents[path]
	text = licenseText(text)
	file := inert.Code(path) // anyone's file name: code in messages
	switch {
	case !read:
		return failed(RuleLicense, r.Mode,
			fmt.Sprintf("%s exists but its text was not read", file),
			"re-run the check; if it persists, report it to the OSPO")
	case strings.TrimSpace(text) == "":
		return failed(RuleLicense, r.Mode,
			fmt.Sprintf("%s is empty", file),
			fmt.Sprintf("put the unmodified text of %s into %s", allowedList(r.Allowed), file))
	case len(r.Allowed) == 0:
		return failed(RuleLicense, r.Mode,
			"the policy allows no licenses: repository.license.allowed is empty",
			"list the allowed SPDX ids in repository.license.allowed in ospo.yml, or turn the license rule off")
	}
	return judgeLicense(file, text, r)
}

// scanResult is what was found in a license file.
type scanResult struct {
	coverage float64  // percent of the file's words inside license matches
	ids      []string // SPDX ids of the full-text matches, in order
	urlIDs   []string // SPDX ids only referred to by URL
	share    float64  // lowest percent of a matched license's text present
	weakest  string   // the license with that lowest share
}

func scanLicenseText(text string) scanResult {
	c := licensecheck.Scan([]byte(text))
	res := scanResult{coverage: c.Percent, share: 100}
	for _, m := range c.Match {
		if m.IsURL {
			res.urlIDs = appendNew(res.urlIDs, m.ID)
			continue
		}
		res.ids = appendNew(res.ids, m.ID)
		if m.Start < 0 || m.End > len(text) || m.Start > m.End {
			continue
		}
		if pct, ok := licenseShare(m.ID, words(text[m.Start:m.End])); ok && pct < res.share {
			res.share, res.weakest = pct, m.ID
		}
	}
	return res
}

func judgeLicense(file, text string, r policy.LicenseRule) Finding {
	res := scanLicense(text)
	allow := readAllowed(r.Allowed)
	if len(res.ids) == 0 {
		return unidentified(file, text, res, allow, r)
	}
	if !allow.permits(res.ids) {
		return disallowed(file, false, res.ids, allow, r)
	}
	minCov, minMatch := thresholds(r)
	if res.coverage < minCov || res.share < minMatch {
		return edited(file, listAnd(res.ids), max(100-res.coverage, 100-res.share), r.Mode)
	}
	return passed(RuleLicense, r.Mode, fmt.Sprintf("%s is %s (license text: %.0f%% of the file, %.0f%% of the standard text)",
		file, listAnd(res.ids), math.Floor(res.coverage), math.Floor(res.share)))
}

func thresholds(r policy.LicenseRule) (minCoverage, minMatch float64) {
	minCoverage, minMatch = r.MinCoverage, r.MinMatch
	if minCoverage <= 0 {
		minCoverage = policy.DefaultMinCoverage
	}
	if minMatch <= 0 {
		minMatch = policy.DefaultMinMatch
	}
	return minCoverage, minMatch
}

// unidentified explains a file in which Scan found no license text.
func unidentified(file, text string, res scanResult, allow allowance, r policy.LicenseRule) Finding {
	if like, ok := closestLicense(words(text), lookalikeFloor); ok {
		if !allow.permits([]string{like.id}) {
			return failed(RuleLicense, r.Mode,
				fmt.Sprintf("%s looks like %s (%d%% of its text differs from it), which the policy does not allow (allowed: %s)",
					file, like.id, percentUp(100-like.similarity), strings.Join(r.Allowed, ", ")),
				allow.replaceWith(file, r.Allowed))
		}
		return edited(file, like.id, 100-like.similarity, r.Mode)
	}
	if len(res.urlIDs) > 0 {
		return failed(RuleLicense, r.Mode,
			fmt.Sprintf("%s only links to %s instead of containing the license text", file, listAnd(res.urlIDs)),
			fmt.Sprintf("replace the link in %s with the full, unmodified license text", file))
	}
	return failed(RuleLicense, r.Mode,
		fmt.Sprintf("%s does not match a known license", file),
		fmt.Sprintf("replace %s with the unmodified text of %s", file, allowedList(r.Allowed)))
}

func edited(file, like string, differs float64, mode policy.Mode) Finding {
	return failed(RuleLicense, mode,
		fmt.Sprintf("%s looks like %s but %d%% of its text differs from it: restore the standard text", file, like, percentUp(differs)),
		fmt.Sprintf("replace %s with the unmodified text of %s (only the copyright line may change)", file, like))
}

// percentUp rounds a percentage of difference up, to at least 1.
func percentUp(p float64) int { return max(int(math.Ceil(p-1e-9)), 1) }

// disallowed explains why the licenses found are not allowed; file names
// one file, or several (plural) read together.
func disallowed(file string, plural bool, ids []string, allow allowance, r policy.LicenseRule) Finding {
	contains := "contains"
	if plural {
		contains = "contain"
	}
	var unknown []string
	for _, id := range ids {
		if !allow.mentions(id) {
			unknown = append(unknown, id)
		}
	}
	switch {
	case len(ids) > 1 && len(unknown) == 0:
		return failed(RuleLicense, r.Mode,
			fmt.Sprintf("%s %s %s; declare dual licensing as an SPDX expression in license.allowed", file, contains, listAnd(ids)),
			fmt.Sprintf("add %q (or the AND form) to repository.license.allowed in ospo.yml, or keep one license in %s%s",
				strings.Join(ids, " OR "), file, allow.invalid))
	case len(ids) > 1:
		return failed(RuleLicense, r.Mode,
			fmt.Sprintf("%s %s %s; the policy does not allow %s (allowed: %s)", file, contains, listAnd(ids), listAnd(unknown), strings.Join(r.Allowed, ", ")),
			allow.replaceWith(file, r.Allowed))
	}
	return failed(RuleLicense, r.Mode,
		fmt.Sprintf("%s is %s, which the policy does not allow (allowed: %s)", file, ids[0], strings.Join(r.Allowed, ", ")),
		allow.replaceWith(file, r.Allowed))
}

// allowance is license.allowed, read: single ids and combinations (the ids
// of one SPDX expression); invalid describes the entries it could not read.
type allowance struct {
	singles []string
	combos  [][]string
	invalid string // a remediation suffix, or ""
}

func readAllowed(allowed []string) allowance {
	var a allowance
	var bad []string
	for _, entry := range allowed {
		ids, err := licenseIDs(entry)
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%q (%v)", entry, err))
		case len(ids) == 1:
			a.singles = append(a.singles, ids[0])
		default:
			a.combos = append(a.combos, ids)
		}
	}
	if len(bad) > 0 {
		a.invalid = "; fix repository.license.allowed, which has invalid entries: " + strings.Join(bad, ", ")
	}
	return a
}

// permits reports whether a file with exactly these licenses is allowed:
// one allowed id, or the ids of one allowed expression.
func (a allowance) permits(ids []string) bool {
	if len(ids) == 1 {
		return containsLicense(a.singles, ids[0])
	}
	return slices.ContainsFunc(a.combos, func(c []string) bool { return sameLicenseSet(c, ids) })
}

// mentions reports whether id appears anywhere in license.allowed.
func (a allowance) mentions(id string) bool {
	return containsLicense(a.singles, id) || slices.ContainsFunc(a.combos, func(c []string) bool { return containsLicense(c, id) })
}

func (a allowance) replaceWith(file string, allowed []string) string {
	return fmt.Sprintf("replace %s with the unmodified text of %s, or ask the OSPO for an exemption%s", file, allowedList(allowed), a.invalid)
}

func containsLicense(list []string, id string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return sameLicense(x, id) })
}

func sameLicenseSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, id := range b {
		if !containsLicense(a, id) {
			return false
		}
	}
	return true
}

// allowedList names the allowed licenses in a remediation: "MIT, ISC or
// "MIT OR Apache-2.0"".
func allowedList(allowed []string) string {
	if len(allowed) == 0 {
		return "an approved license"
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = strings.TrimSpace(a)
		if strings.ContainsAny(names[i], " ()") {
			names[i] = fmt.Sprintf("%q", names[i])
		}
	}
	return listOr(names)
}

var licenseEntry = Rule{
	ID: RuleLicense, Scope: RepositoryScope, Section: "repository.license",
	Anchor:  "repositorylicense--an-approved-license",
	Summary: "an unmodified, allowed license text in the root's LICENSE, LICENCE or COPYING files or REUSE's LICENSES/, which their SPDX-License-Identifier and the root manifests' licence fields agree with",
	Mode:    func(p *policy.Policy) policy.Mode { return p.Repository.License.Mode },
	Needs: Needs{
		Dirs: []string{"", ReuseDir}, // LICENSES/ is listed only when the root has it
		Read: []FileSet{
			{Dirs: []string{""}, Match: licenseFileRE.MatchString},
			{Dirs: []string{ReuseDir}, Match: func(string) bool { return true }},
		},
		Manifests: true,
	},
	Stale: Stale{Changed: append([]string{"licen[cs]e*", "copying*", ReuseDir + "/*", "*.gemspec"}, manifestNames...)},
	Check: func(in Input) Finding { return License(in.Repo, in.Policy.Repository.License) },
}
