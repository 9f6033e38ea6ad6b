package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
)

// prHandler checks pull requests on the events that can change a result.
type prHandler struct {
	deps    Deps
	checker *checker
}

// prActions are the pull_request actions that can change a result.
var prActions = map[string]bool{
	"opened": true, "reopened": true, "synchronize": true, "edited": true,
	"labeled": true, "unlabeled": true, "ready_for_review": true,
}

func (h *prHandler) handlePullRequest(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.PullRequestEvent](d)
	if err != nil {
		return err
	}
	if err := recordPullRequestEvent(ctx, h.deps.Store, d.InstallationID, ev); err != nil {
		return err
	}
	if ev.GetAction() == "closed" {
		// Closed or merged, it no longer shares ospo/policy with the open
		// pull requests at its head (sameHeadFindings). Merge groups need
		// no result of it either: GitHub checks them before it merges.
		base := ev.GetPullRequest().GetBase().GetRepo()
		return h.deps.Store.DeletePullRequestResult(ctx, base.GetOwner().GetLogin()+"/"+base.GetName(), ev.GetPullRequest().GetNumber())
	}
	if !prActions[ev.GetAction()] || d.InstallationID == 0 || ev.GetPullRequest().GetState() != "open" {
		return nil
	}
	client, err := h.deps.GitHub.NewInstallationClient(d.InstallationID)
	if err != nil {
		return err
	}
	// The payload carries the pull request as of the event, head commit
	// included: no need to read it again.
	return h.checker.checkPullRequest(ctx, client, check.PullRequestOf(d.InstallationID, ev.GetPullRequest(), evaluationID(ctx)))
}

// checkEvent holds what check_suite and check_run events say that matters
// here. It is decoded on its own: GitHub's documented examples carry
// timestamps go-github's types reject, and nothing else is needed.
type checkEvent struct {
	Action     string `json:"action"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	CheckSuite checkSuite `json:"check_suite"`
	CheckRun   struct {
		Name         string     `json:"name"`
		HeadSHA      string     `json:"head_sha"`
		CheckSuite   checkSuite `json:"check_suite"`
		PullRequests []prNumber `json:"pull_requests"`
	} `json:"check_run"`
	RequestedAction struct {
		Identifier string `json:"identifier"`
	} `json:"requested_action"`
}

type checkSuite struct {
	HeadSHA      string     `json:"head_sha"`
	HeadBranch   *string    `json:"head_branch"`
	PullRequests []prNumber `json:"pull_requests"`
}

type prNumber struct {
	Number int `json:"number"`
}

// handleCheckSuite checks the pull requests of a requested or re-requested
// check suite.
func (h *prHandler) handleCheckSuite(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[checkEvent](d)
	if err != nil {
		return err
	}
	if (ev.Action != "requested" && ev.Action != "rerequested") || d.InstallationID == 0 {
		return nil
	}
	numbers, err := h.pullsOf(ctx, d.InstallationID, ev.Repository.FullName, ev.CheckSuite.PullRequests, ev.CheckSuite.HeadSHA, ev.CheckSuite.HeadBranch)
	if err != nil {
		return err
	}
	return h.recheckAll(ctx, d.InstallationID, ev.Repository.FullName, numbers, "check suite "+ev.Action)
}

// handleCheckRun re-checks on the check run's "Re-run" and "Recheck".
func (h *prHandler) handleCheckRun(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[checkEvent](d)
	if err != nil {
		return err
	}
	if d.InstallationID == 0 || ev.CheckRun.Name != prcheck.CheckName {
		return nil
	}
	if ev.Action != "rerequested" && (ev.Action != "requested_action" || ev.RequestedAction.Identifier != prcheck.RecheckAction) {
		return nil
	}
	numbers, err := h.pullsOf(ctx, d.InstallationID, ev.Repository.FullName, ev.CheckRun.PullRequests, ev.CheckRun.HeadSHA, ev.CheckRun.CheckSuite.HeadBranch)
	if err != nil {
		return err
	}
	return h.recheckAll(ctx, d.InstallationID, ev.Repository.FullName, numbers, "check run "+ev.Action)
}

func (h *prHandler) recheckAll(ctx context.Context, installationID int64, repo string, numbers []int, reason string) error {
	for _, n := range numbers {
		if err := insertPRCheck(ctx, CheckPullRequestArgs{InstallationID: installationID, Repository: repo, Number: n, Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}

// pullsOf names the pull requests a check event is about. GitHub lists
// them, except for a commit of a fork: "When the check suite's head_branch
// is in a forked repository it will be null and the pull_requests array
// will be empty" (https://docs.github.com/en/webhooks/webhook-events-and-payloads#check_suite).
// Then the head commit is matched to the pull requests the bot checked at
// it and, when it checked none and the head branch is not in the
// repository, to the open pull requests GitHub has at that head.
func (h *prHandler) pullsOf(ctx context.Context, installationID int64, repo string, listed []prNumber, sha string, headBranch *string) ([]int, error) {
	var numbers []int
	for _, pr := range listed {
		numbers = append(numbers, pr.Number)
	}
	if len(numbers) > 0 || sha == "" {
		return numbers, nil
	}
	recorded, err := h.deps.Store.PullRequestsAt(ctx, repo, sha)
	if err != nil {
		return nil, err
	}
	for _, r := range recorded {
		numbers = append(numbers, r.Number)
	}
	if len(numbers) > 0 || headBranch != nil {
		return numbers, nil // a branch of the repository without a pull request
	}
	client, err := h.deps.GitHub.NewInstallationClient(installationID)
	if err != nil {
		return nil, err
	}
	owner, name, _ := strings.Cut(repo, "/")
	opts := &github.PullRequestListOptions{State: "open", ListOptions: github.ListOptions{PerPage: 100}}
	err = ghclient.Each(&opts.ListOptions, func(*github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return client.PullRequests.List(ctx, owner, name, opts)
	}, func(pr *github.PullRequest) bool {
		if pr.GetHead().GetSHA() == sha {
			numbers = append(numbers, pr.GetNumber())
		}
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("list open pull requests of %s: %w", repo, err)
	}
	if len(numbers) == 0 {
		zerolog.Ctx(ctx).Info().Str("head_sha", sha).Msg("no open pull request has this head; nothing to check")
	}
	return numbers, nil
}

// handleReview re-checks a pull request when a review can change whether
// its protected paths are approved: an approving review (the check asks
// GitHub whether the reviewer is an approver) and a dismissed one.
func (h *prHandler) handleReview(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.PullRequestReviewEvent](d)
	if err != nil {
		return err
	}
	if err := recordPullRequestReview(ctx, h.deps.Store, d.InstallationID, ev); err != nil {
		return err
	}
	approving := ev.GetAction() == "submitted" && strings.EqualFold(ev.GetReview().GetState(), "approved")
	if (!approving && ev.GetAction() != "dismissed") || d.InstallationID == 0 || ev.GetPullRequest().GetState() != "open" {
		return nil
	}
	reason := "review by @" + ev.GetReview().GetUser().GetLogin() + " " + ev.GetAction()
	return h.recheckAll(ctx, d.InstallationID, ev.GetRepo().GetFullName(), []int{ev.GetPullRequest().GetNumber()}, reason)
}
