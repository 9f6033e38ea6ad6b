package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// PolicyPlanArgs asks for the ospo/policy-plan check run of a pull
// request to an org's .github repository, at a head commit.
type PolicyPlanArgs struct {
	InstallationID int64  `json:"installation_id"`
	Repository     string `json:"repository" river:"unique"`
	Number         int    `json:"number" river:"unique"`
	HeadSHA        string `json:"head_sha" river:"unique"`
	BaseRef        string `json:"base_ref"`
	DefaultBranch  string `json:"default_branch"`
	HTMLURL        string `json:"html_url"`
}

// Kind names the job kind in River's tables.
func (PolicyPlanArgs) Kind() string { return "policy_plan" }

// InsertOpts: one job per head commit while one waits or runs.
func (PolicyPlanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityCheck, Tags: uniqueFollowUp.Tags, UniqueOpts: uniqueFollowUp.UniqueOpts}
}

type policyPlanWorker struct {
	river.WorkerDefaults[PolicyPlanArgs]
	checker *checker
}

func (w *policyPlanWorker) Work(ctx context.Context, job *river.Job[PolicyPlanArgs]) error {
	a := job.Args
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, a.Repository).Int(logging.FieldPR, a.Number).Logger()
	owner, _, _ := strings.Cut(a.Repository, "/")
	return w.checker.run(logger.WithContext(ctx), job.JobRow, fmt.Sprintf("policy plan %s#%d", a.Repository, a.Number), a.InstallationID, "pull request to the org policy",
		func(ctx context.Context, client *github.Client) error {
			return w.checker.check.PolicyPlan(ctx, client, check.PlanPullRequest{InstallationID: a.InstallationID, Owner: owner, Number: a.Number,
				HeadSHA: a.HeadSHA, BaseRef: a.BaseRef, DefaultBranch: a.DefaultBranch, HTMLURL: a.HTMLURL})
		})
}

// enqueuePolicyPlan asks for the policy plan of a pull request opened,
// reopened or pushed to in an org's .github repository (the job finds
// whether it changes ospo.yml: the payload does not say).
func enqueuePolicyPlan(ctx context.Context, installationID int64, ev *github.PullRequestEvent) error {
	pr := ev.GetPullRequest()
	base := pr.GetBase().GetRepo()
	switch {
	case base.GetName() != policy.OrgRepo:
		return nil
	case ev.GetAction() != "opened" && ev.GetAction() != "reopened" && ev.GetAction() != "synchronize":
		return nil
	}
	_, err := river.ClientFromContext[*sql.Tx](ctx).Insert(ctx, PolicyPlanArgs{InstallationID: installationID, Repository: base.GetFullName(),
		Number: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA(), BaseRef: pr.GetBase().GetRef(), DefaultBranch: base.GetDefaultBranch(),
		HTMLURL: pr.GetHTMLURL()}, nil)
	if err != nil {
		return fmt.Errorf("enqueue the policy plan of %s#%d: %w", base.GetFullName(), pr.GetNumber(), err)
	}
	return nil
}
