package kpi

import "strings"

// RepositoryState is a repository's last recorded check in the period.
type RepositoryState struct {
	Repository string
	InScope    bool
	Failing    []string          // enforce rules failing
	Results    map[string]string // rule → "mode/result", e.g. "enforce/pass"
	License    string            // SPDX expression; "" none found, NOASSERTION unrecognised
}

// Compliance is the share of in-scope repositories failing no enforce
// rule, and per rule the share of in-scope repositories where the rule is
// enforced that do not fail it (pass, exempt or skip).
func Compliance(rs []RepositoryState) (Ratio, map[string]Ratio) {
	var all Ratio
	byRule := map[string]Ratio{}
	for _, r := range rs {
		if !r.InScope {
			continue
		}
		all.Den++
		if len(r.Failing) == 0 {
			all.Num++
		}
		for rule, v := range r.Results {
			mode, result, _ := strings.Cut(v, "/")
			if mode != "enforce" {
				continue
			}
			c := byRule[rule]
			c.Den++
			if result != "fail" {
				c.Num++
			}
			byRule[rule] = c
		}
	}
	return all, byRule
}

// Licenses returns licence coverage (in-scope repositories with a licence
// found, recognised or not, of all in-scope repositories) and the OSI
// share (repositories whose licence is OSI approved, of those with a
// licence).
func Licenses(rs []RepositoryState) (coverage, osi Ratio) {
	for _, r := range rs {
		if !r.InScope {
			continue
		}
		coverage.Den++
		if r.License == "" {
			continue
		}
		coverage.Num++
		osi.Den++
		if OSIApproved(r.License) {
			osi.Num++
		}
	}
	return coverage, osi
}
