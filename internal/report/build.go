package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

func build(ctx context.Context, st *store.Store, o Options) (*Report, error) {
	if o.Org == "" {
		return nil, errors.New("report: no org")
	}
	if !o.Since.Before(o.Until) {
		return nil, fmt.Errorf("report: the period %s to %s is empty", o.Since.Format(time.DateOnly), o.Until.Format(time.DateOnly))
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	web := strings.TrimSuffix(o.WebURL, "/")
	if web == "" {
		web = "https://github.com"
	}
	org, err := st.OrgName(ctx, o.Org)
	if err != nil {
		return nil, err
	}
	r := &Report{Org: org, Since: o.Since.UTC(), Until: o.Until.UTC()}
	asOf := o.Until
	if o.Now.Before(asOf) {
		asOf = o.Now
	}

	// Repositories: the last recorded day of each, then those the
	// installations list that were never checked.
	days, err := st.LatestRepositoryDays(ctx, org, o.Until)
	if err != nil {
		return nil, err
	}
	states := make([]kpi.RepositoryState, 0, len(days))
	byID := map[int64]int{}
	for _, d := range days {
		byID[d.RepositoryID] = len(r.Repositories)
		r.Repositories = append(r.Repositories, Repository{
			ID: d.RepositoryID, Name: d.Repository, URL: web + "/" + d.Repository, Private: d.Private, InScope: d.InScope,
			Flagged: d.Flagged, Failing: d.Failing, Results: d.Results, License: d.License, CheckedAt: d.CheckedAt,
		})
		states = append(states, kpi.RepositoryState{Repository: d.Repository, InScope: d.InScope, Failing: d.Failing,
			Results: d.Results, License: d.License})
	}
	known, err := st.OrgRepositories(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, k := range known {
		if _, ok := byID[k.ID]; !ok {
			byID[k.ID] = len(r.Repositories)
			r.Repositories = append(r.Repositories, Repository{ID: k.ID, Name: k.FullName, URL: web + "/" + k.FullName,
				Private: k.Private, InScope: !k.Archived && !k.Fork})
		}
	}
	s := &r.KPIs
	s.Compliance, s.ComplianceByRule = kpi.Compliance(states)
	s.LicenseCoverage, s.OSIApproved = kpi.Licenses(states)

	// Reviews: the issues, their state replayed from the decisions, their
	// life from the review events.
	issues, err := st.OrgReviewIssues(ctx, org)
	if err != nil {
		return nil, err
	}
	decisions, err := st.OrgReviewDecisions(ctx, org, o.Until)
	if err != nil {
		return nil, err
	}
	evs, err := st.OrgReviewEvents(ctx, org, o.Until)
	if err != nil {
		return nil, err
	}
	kevs := make([]kpi.ReviewEvent, len(evs))
	for i, e := range evs {
		kevs[i] = kpi.ReviewEvent{RepositoryID: e.RepositoryID, Kind: e.Kind, Verb: e.Verb, At: e.At}
	}
	cycles := kpi.ReviewCycles(kevs)
	s.ReviewTimeToDecision, s.OpenReviews, s.OpenReviewsByAge = kpi.Reviews(cycles, o.Since, o.Until, asOf)
	last := map[int64]kpi.ReviewCycle{}
	for _, c := range cycles {
		last[c.RepositoryID] = c
	}
	for _, is := range issues {
		stt := review.Replay(review.Decisions(decisions[is.RepositoryID])).InForce(asOf)
		url := ""
		if is.IssueNumber > 0 {
			url = fmt.Sprintf("%s/%s/issues/%d", web, is.ReviewRepo, is.IssueNumber)
		}
		c := last[is.RepositoryID]
		r.Reviews = append(r.Reviews, Review{Repository: is.Repository, IssueURL: url, Status: string(stt.Status),
			Opened: c.Opened, FirstResponse: c.FirstResponse, Decided: c.Decided})
		i, ok := byID[is.RepositoryID]
		if !ok {
			continue
		}
		repo := &r.Repositories[i]
		repo.Review, repo.ReviewIssueURL = string(stt.Status), url
		for rule, d := range stt.Exemptions {
			repo.Exemptions = append(repo.Exemptions, Exemption{Repository: repo.Name, Rule: rule, Actor: d.Actor,
				Reason: d.Reason, URL: d.URL, At: d.At.UTC(), Expires: d.Expires})
		}
		slices.SortFunc(repo.Exemptions, func(a, b Exemption) int { return strings.Compare(a.Rule, b.Rule) })
		s.ExemptionsInForce += len(repo.Exemptions)
	}
	slices.SortFunc(r.Repositories, func(a, b Repository) int { return strings.Compare(a.Name, b.Name) })

	// CLA.
	cla, err := st.OrgCLAEvents(ctx, org, o.Until)
	if err != nil {
		return nil, err
	}
	kcla := make([]kpi.CLAEvent, len(cla))
	for i, e := range cla {
		kcla[i] = kpi.CLAEvent{UserID: e.UserID, Kind: e.Kind, At: e.At}
	}
	s.CLASigners, s.CLANewSigners = kpi.CLASigners(kcla, o.Since, o.Until)

	// Pull requests, streamed.
	prs := kpi.PullRequests{Since: o.Since, Until: o.Until}
	if err := st.EachPullRequest(ctx, org, o.Since, o.Until, func(p store.PullRequestRow) {
		prs.Add(kpi.PullRequest(p))
	}); err != nil {
		return nil, err
	}
	prs.Summarise(s)
	firsts, err := st.OrgFirstPullRequests(ctx, org, o.Since, o.Until)
	if err != nil {
		return nil, err
	}
	kf := make([]kpi.AuthorFirst, len(firsts))
	for i, f := range firsts {
		kf[i] = kpi.AuthorFirst(f)
	}
	s.FirstTimeContributors = kpi.FirstTimeContributors(kf, o.Since, o.Until)
	counts, err := st.OrgMergedCounts(ctx, org, o.Until.Add(-kpi.AbsenceWindow), o.Until)
	if err != nil {
		return nil, err
	}
	kc := make([]kpi.AuthorCount, len(counts))
	for i, c := range counts {
		kc[i] = kpi.AuthorCount(c)
	}
	s.AbsenceFactor = kpi.AbsenceFactors(kc)

	if r.Audit, err = st.OrgAuditLog(ctx, org, o.Since, o.Until); err != nil {
		return nil, err
	}
	return r, nil
}
