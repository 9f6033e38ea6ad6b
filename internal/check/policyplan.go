package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// PlanCheckName is the check run that shows, on a pull request that
// changes the org policy, what the change would do (internal/plan).
const PlanCheckName = "ospo/policy-plan"

// maxAnnotations is how many annotations GitHub takes in one request
// ("The Checks API limits the number of annotations to a maximum of 50
// per API request", https://docs.github.com/rest/checks/runs#update-a-check-run);
// more are appended by updates.
const maxAnnotations = 50

// PlanPullRequest is a pull request to an org's .github repository.
type PlanPullRequest struct {
	InstallationID int64
	Owner          string // the org
	Number         int
	HeadSHA        string
	BaseRef        string
	DefaultBranch  string // of the .github repository
	HTMLURL        string
}

// PolicyPlan posts the ospo/policy-plan check run on a pull request to the
// org's .github repository that changes its ospo.yml, into the default
// branch, where the policy is read: the plan of the policy at the pull
// request's head (neutral), or the policy's problems (failure), each an
// annotation at its line and column. Once per head commit: a retry finds
// the run by its external_id, and appends the annotations an earlier
// attempt did not.
func (c *Checker) PolicyPlan(ctx context.Context, client *github.Client, pr PlanPullRequest) error {
	logger := zerolog.Ctx(ctx)
	if pr.BaseRef != pr.DefaultBranch {
		logger.Debug().Str("base", pr.BaseRef).Msg("not into the default branch, where the org policy is read: no plan")
		return nil
	}
	changed, removed, err := changesPolicy(ctx, client, pr)
	if err != nil || !changed {
		return err
	}
	external := "policy-plan:" + pr.HeadSHA
	run, err := findPlanRun(ctx, client, pr, external)
	if err != nil {
		return err
	}
	var newDoc *policy.Document
	var problems policy.Errors
	if !removed {
		if newDoc, problems, err = readPolicyAt(ctx, client, pr); err != nil {
			return err
		}
	}
	annotations := problemAnnotations(problems)
	if run != nil && run.GetStatus() == "completed" {
		return appendAnnotations(ctx, client, pr, run.GetID(), run.GetOutput(), annotations[min(run.GetOutput().GetAnnotationsCount(), len(annotations)):])
	}
	output, conclusion := invalidOutput(problems), "failure"
	if problems == nil {
		p, err := plan.Build(ctx, c.Store, pr.Owner, newDoc)
		if err != nil {
			return err
		}
		conclusion = "neutral"
		output = &github.CheckRunOutput{Title: github.String(p.Title()),
			Summary: github.String(p.Markdown(fit.CheckOutput.Max, "run `ospo-bot policy plan ospo.yml` for the whole plan"))}
	}
	output.Annotations = annotations[:min(len(annotations), maxAnnotations)]
	now := github.Timestamp{Time: time.Now()}
	created, _, err := client.Checks.CreateCheckRun(ctx, pr.Owner, policy.OrgRepo, github.CreateCheckRunOptions{
		Name: PlanCheckName, HeadSHA: pr.HeadSHA, ExternalID: github.String(external), DetailsURL: github.String(pr.HTMLURL),
		Status: github.String("completed"), Conclusion: github.String(conclusion), StartedAt: &now, CompletedAt: &now, Output: output})
	if err != nil {
		return fmt.Errorf("create %s on %s/%s@%s: %w", PlanCheckName, pr.Owner, policy.OrgRepo, pr.HeadSHA, err)
	}
	logger.Info().Str("conclusion", conclusion).Str("title", output.GetTitle()).Msg("policy plan posted")
	return appendAnnotations(ctx, client, pr, created.GetID(), output, annotations[len(output.Annotations):])
}

// changesPolicy reports whether the pull request changes the org's
// ospo.yml, and whether it removes it (or moves it away).
func changesPolicy(ctx context.Context, client *github.Client, pr PlanPullRequest) (changed, removed bool, err error) {
	files, err := ghclient.All(&github.ListOptions{PerPage: 100}, func(opts *github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return client.PullRequests.ListFiles(ctx, pr.Owner, policy.OrgRepo, pr.Number, opts)
	})
	if err != nil {
		return false, false, fmt.Errorf("list the files of %s/%s#%d: %w", pr.Owner, policy.OrgRepo, pr.Number, err)
	}
	for _, f := range files {
		switch {
		case f.GetFilename() == policy.OrgPath:
			return true, f.GetStatus() == "removed", nil
		case f.GetPreviousFilename() == policy.OrgPath:
			changed, removed = true, true // renamed away, unless ospo.yml is added again (above)
		}
	}
	return changed, removed, nil
}

// findPlanRun finds the run an earlier attempt created at the head, by
// its external_id, which only ospo-bot writes there.
func findPlanRun(ctx context.Context, client *github.Client, pr PlanPullRequest, external string) (*github.CheckRun, error) {
	opts := &github.ListCheckRunsOptions{CheckName: github.String(PlanCheckName), Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: 100}}
	run, err := ghclient.First(&opts.ListOptions, func(*github.ListOptions) ([]*github.CheckRun, *github.Response, error) {
		page, resp, err := client.Checks.ListCheckRunsForRef(ctx, pr.Owner, policy.OrgRepo, pr.HeadSHA, opts)
		if err != nil {
			return nil, resp, err
		}
		return page.CheckRuns, resp, nil
	}, func(run *github.CheckRun) bool { return run.GetExternalID() == external })
	if err != nil {
		return nil, fmt.Errorf("list check runs on %s/%s@%s: %w", pr.Owner, policy.OrgRepo, pr.HeadSHA, err)
	}
	return run, nil
}

// readPolicyAt reads and parses ospo.yml at the pull request's head: the
// policy, or its problems.
func readPolicyAt(ctx context.Context, client *github.Client, pr PlanPullRequest) (*policy.Document, policy.Errors, error) {
	file, _, _, err := client.Repositories.GetContents(ctx, pr.Owner, policy.OrgRepo, policy.OrgPath, &github.RepositoryContentGetOptions{Ref: pr.HeadSHA})
	if err != nil {
		return nil, nil, fmt.Errorf("read %s/%s:%s at %s: %w", pr.Owner, policy.OrgRepo, policy.OrgPath, pr.HeadSHA, err)
	}
	text, err := file.GetContent()
	if err != nil {
		return nil, nil, fmt.Errorf("decode %s/%s:%s at %s: %w", pr.Owner, policy.OrgRepo, policy.OrgPath, pr.HeadSHA, err)
	}
	d, err := policy.ParseDocument(policy.OrgPath, []byte(text), true)
	var problems policy.Errors
	if errors.As(err, &problems) {
		return nil, problems, nil
	}
	if err != nil {
		return nil, nil, err
	}
	d.Source.Repo, d.Source.Ref = pr.Owner+"/"+policy.OrgRepo, pr.HeadSHA
	return d, nil, nil
}

// invalidOutput lists the problems of an invalid policy.
func invalidOutput(problems policy.Errors) *github.CheckRunOutput {
	items := make([]string, 0, len(problems))
	for _, e := range problems {
		items = append(items, "- "+inert.Code(e.Error())+"\n")
	}
	head := fmt.Sprintf("This pull request's `%s` is invalid: the bot would report it and check no repository until it is fixed. Every problem, at its line and column:\n\n", policy.OrgPath)
	summary := inert.CapWithin(fit.CheckOutput.Max, fit.CheckOutput.Len, func(max int) string {
		return fit.Limit{Max: max, Bytes: true}.List(head, items, "", "see the annotations, or run `ospo-bot policy validate ospo.yml`")
	})
	title := fmt.Sprintf("%s is invalid: %d problems", policy.OrgPath, len(problems))
	if len(problems) == 1 {
		title = fmt.Sprintf("%s is invalid: 1 problem", policy.OrgPath)
	}
	return &github.CheckRunOutput{Title: github.String(title), Summary: github.String(summary)}
}

// problemAnnotations point at each problem's line and column in ospo.yml
// (GitHub takes columns only on one line, which these are).
func problemAnnotations(problems policy.Errors) []*github.CheckRunAnnotation {
	var out []*github.CheckRunAnnotation
	for _, e := range problems {
		line := max(e.Line, 1)
		a := &github.CheckRunAnnotation{Path: github.String(policy.OrgPath), StartLine: github.Int(line), EndLine: github.Int(line),
			AnnotationLevel: github.String("failure"), Title: github.String("invalid policy"),
			Message: github.String(fit.CheckOutput.Cut(strings.TrimSpace(e.Message), 64*1024-1))}
		if e.Line > 0 && e.Column > 0 {
			a.StartColumn, a.EndColumn = github.Int(e.Column), github.Int(e.Column)
		}
		out = append(out, a)
	}
	return out
}

// appendAnnotations adds annotations to a completed run, 50 a request
// (GitHub appends them; the title and summary are sent again unchanged,
// as an output needs them).
func appendAnnotations(ctx context.Context, client *github.Client, pr PlanPullRequest, id int64, output *github.CheckRunOutput, rest []*github.CheckRunAnnotation) error {
	for len(rest) > 0 {
		batch := rest[:min(len(rest), maxAnnotations)]
		rest = rest[len(batch):]
		_, _, err := client.Checks.UpdateCheckRun(ctx, pr.Owner, policy.OrgRepo, id, github.UpdateCheckRunOptions{Name: PlanCheckName,
			Output: &github.CheckRunOutput{Title: output.Title, Summary: output.Summary, Annotations: batch}})
		if err != nil {
			return fmt.Errorf("annotate %s on %s/%s@%s: %w", PlanCheckName, pr.Owner, policy.OrgRepo, pr.HeadSHA, err)
		}
	}
	return nil
}
