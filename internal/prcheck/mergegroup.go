package prcheck

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// ReportMergeGroup reports a merge group's result as a completed
// ospo/policy check run on its head commit, the commit a merge queue waits
// on. A merge group is checked once: when the commit already has a
// completed ospo/policy run for the group (a retry, a redelivery; known by
// its external ID, which only ospo-bot writes there), nothing is written.
// link is where a summary too long for GitHub points for the rest (the
// group's commit page).
func ReportMergeGroup(ctx context.Context, client *github.Client, owner, name, headSHA, link string, fs []rules.Finding) error {
	existing, _, err := client.Checks.ListCheckRunsForRef(ctx, owner, name, headSHA, &github.ListCheckRunsOptions{
		CheckName: github.String(CheckName), Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: 100},
	})
	if err != nil {
		return fmt.Errorf("list check runs of %s/%s@%s: %w", owner, name, headSHA, err)
	}
	external := "merge_group:" + headSHA
	for _, cr := range existing.CheckRuns {
		if cr.GetStatus() == "completed" && cr.GetExternalID() == external {
			return nil
		}
	}
	now := github.Timestamp{Time: time.Now()}
	_, _, err = client.Checks.CreateCheckRun(ctx, owner, name, github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: headSHA, ExternalID: github.String(external), Status: github.String("completed"), Conclusion: github.String(Conclusion(fs)),
		StartedAt: &now, CompletedAt: &now,
		Output: &github.CheckRunOutput{Title: github.String(Title(fs)), Summary: github.String(Summary(fs, link)), Annotations: firstAnnotations(fs)},
	})
	if err != nil {
		return fmt.Errorf("report ospo/policy on the merge group %s/%s@%s: %w", owner, name, headSHA, err)
	}
	return nil
}

// firstAnnotations are the annotations one request may add (a merge
// group's failures are its pull requests', annotated on those).
func firstAnnotations(fs []rules.Finding) []*github.CheckRunAnnotation {
	all := Annotations(fs)
	return all[:min(len(all), maxAnnotations)]
}
