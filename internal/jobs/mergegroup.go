package jobs

import (
	"context"

	"github.com/ospo-bot/ospo-bot/internal/check"
)

// mergeGroupEvent is what a merge_group webhook says that matters here
// (https://docs.github.com/en/webhooks/webhook-events-and-payloads#merge_group).
type mergeGroupEvent struct {
	Action     string `json:"action"`
	MergeGroup struct {
		HeadSHA string `json:"head_sha"`
		HeadRef string `json:"head_ref"`
		BaseSHA string `json:"base_sha"`
		BaseRef string `json:"base_ref"`
	} `json:"merge_group"`
	Repository struct {
		Name    string `json:"name"`
		HTMLURL string `json:"html_url"`
		Owner   struct {
			Login string `json:"login"`
		} `json:"owner"`
	} `json:"repository"`
}

// handleMergeGroup checks a merge queue's group (check.MergeGroup), so
// that a ruleset can require ospo/policy with a merge queue:
// "checks_requested" asks for it on the group's head commit; "destroyed"
// needs nothing.
func (h *prHandler) handleMergeGroup(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[mergeGroupEvent](d)
	if err != nil {
		return err
	}
	g := ev.MergeGroup
	if ev.Action != "checks_requested" || d.InstallationID == 0 || g.HeadSHA == "" || g.BaseSHA == "" {
		return nil
	}
	client, err := h.deps.GitHub.NewInstallationClient(d.InstallationID)
	if err != nil {
		return err
	}
	return h.checker.check.MergeGroup(ctx, client, check.MergeGroup{InstallationID: d.InstallationID,
		Owner: ev.Repository.Owner.Login, Name: ev.Repository.Name, HTMLURL: ev.Repository.HTMLURL,
		HeadRef: g.HeadRef, HeadSHA: g.HeadSHA, BaseRef: g.BaseRef, BaseSHA: g.BaseSHA})
}
