// Package kpi computes the OSPO's key performance indicators from plain history rows: pure functions, no store, no GitHub.
package kpi

import "time"

// Ratio is a share: Num of Den. Den 0 means no data (not 0 %).
type Ratio struct{ Num, Den int }

// Durations summarises a set of durations by nearest-rank percentiles. N 0
// means no data.
type Durations struct {
	N        int
	P50, P90 time.Duration
}

// Bucket counts open items by age: Min ≤ age < Max (Max 0: no upper bound).
type Bucket struct {
	Label    string
	Min, Max time.Duration
	Count    int
}

// MonthCount counts events in a calendar month (UTC), Month as "2006-01".
type MonthCount struct {
	Month string
	Count int
}

// RepositoryFactor is a repository's Contributor Absence Factor (CHAOSS):
// the fewest contributors whose merged pull requests make up half of the
// repository's merged pull requests in the window.
type RepositoryFactor struct {
	Repository   string
	Factor       int
	Contributors int // distinct contributors in the window
	Merged       int // merged pull requests in the window (bots excluded)
}

// Summary holds every KPI of an org over a period.
type Summary struct {
	// Compliance: in-scope repositories passing every enforce rule, of all
	// in-scope repositories; per rule: passing (or not applicable) of the
	// in-scope repositories where the rule is enforced.
	Compliance       Ratio
	ComplianceByRule map[string]Ratio

	ReviewTimeToDecision Durations
	OpenReviews          int
	OpenReviewsByAge     []Bucket

	ExemptionsInForce int

	CLASigners       int
	CLANewSigners    []MonthCount
	CLABlockedPRs    int
	CLATimeToUnblock Durations

	LicenseCoverage, OSIApproved Ratio

	TimeToFirstResponse, TimeToClose Durations
	ChangeRequestClosure             Ratio

	ExternalContributions, MemberContributions, FirstTimeContributors int

	AbsenceFactor []RepositoryFactor
}
