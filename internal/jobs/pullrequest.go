package jobs

import (
	"context"
	"encoding/json"

	"github.com/google/go-github/v66/github"

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
	var ev github.PullRequestEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return permanent("read pull_request payload: %v", err)
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
	return h.checker.checkPullRequest(ctx, client, d.InstallationID, ev.GetPullRequest())
}

// checkEvent holds what check_suite and check_run events say that matters
// here. It is decoded on its own: GitHub's documented examples carry
// timestamps go-github's types reject, and nothing else is needed.
type checkEvent struct {
	Action     string `json:"action"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	CheckSuite struct {
		PullRequests []struct {
			Number int `json:"number"`
		} `json:"pull_requests"`
	} `json:"check_suite"`
	CheckRun struct {
		Name         string `json:"name"`
		PullRequests []struct {
			Number int `json:"number"`
		} `json:"pull_requests"`
	} `json:"check_run"`
	RequestedAction struct {
		Identifier string `json:"identifier"`
	} `json:"requested_action"`
}

// handleCheckSuite checks the pull requests of a requested or re-requested
// check suite.
func (h *prHandler) handleCheckSuite(ctx context.Context, d *DeliveryArgs) error {
	var ev checkEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return permanent("read check_suite payload: %v", err)
	}
	if (ev.Action != "requested" && ev.Action != "rerequested") || d.InstallationID == 0 {
		return nil
	}
	var numbers []int
	for _, pr := range ev.CheckSuite.PullRequests {
		numbers = append(numbers, pr.Number)
	}
	return h.recheckAll(ctx, d.InstallationID, ev.Repository.FullName, numbers, "check suite "+ev.Action)
}

// handleCheckRun re-checks on the check run's "Re-run" and "Recheck".
func (h *prHandler) handleCheckRun(ctx context.Context, d *DeliveryArgs) error {
	var ev checkEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return permanent("read check_run payload: %v", err)
	}
	if d.InstallationID == 0 || ev.CheckRun.Name != prcheck.CheckName {
		return nil
	}
	if ev.Action != "rerequested" && (ev.Action != "requested_action" || ev.RequestedAction.Identifier != prcheck.RecheckAction) {
		return nil
	}
	var numbers []int
	for _, pr := range ev.CheckRun.PullRequests {
		numbers = append(numbers, pr.Number)
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
