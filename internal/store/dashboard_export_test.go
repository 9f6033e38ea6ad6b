package store

import "fmt"

// DashboardQueries are the overview's queries by name, for the test of
// their plans.
func DashboardQueries() map[string]string {
	queries := map[string]string{
		"rollup": qRollup, "days": qDashboardDays, "weeks": qDashboardWeeks, "reopened": qReopened,
		"repository days from": qRepositoryDaysFrom, "first pull requests from": qFirstPullRequestsFrom,
		"decisions by approver": qDecisionsByApprover, "latest days before": qLatestDaysBefore,
		"review life": qReviewLife, "review cycles": qReviewCycles,
	}
	for i, q := range qPullRequestsFrom {
		queries[fmt.Sprint("pull requests from ", i)] = q
	}
	for i, q := range qHistoryStart {
		queries[fmt.Sprint("history start ", i)] = q
	}
	for _, q := range qHistoryCounts {
		queries["history count "+q.name] = q.sql
	}
	return queries
}
