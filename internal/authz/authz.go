// Package authz says who may decide reviews and approve protected paths: a listed user, a live team member or an org owner, asked of GitHub, never taken from text.
package authz

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Authority is who may decide reviews, from the policy in force.
type Authority struct {
	// Org owns the reviewed repository; its owners decide when Approvers
	// is empty.
	Org           string
	Approvers     []string
	PolicyVersion string
	// Label and Repository are the policy's review.label and
	// review.repository: where the app opens the review issue (the review
	// package tells its own issues by them).
	Label      string
	Repository string
}

// OfOrg is who decides the reviews of org's repositories: the org's own
// policy (policy.OrgPath in its policy.OrgRepo repository) alone says,
// never a repository's override.
func OfOrg(ctx context.Context, client *github.Client, org string) (Authority, error) {
	eff, err := policy.Load(ctx, client, org, policy.OrgRepo)
	if err != nil {
		return Authority{}, err
	}
	return Authority{Org: org, Approvers: eff.Policy.Review.Approvers, PolicyVersion: eff.Version,
		Label: eff.Policy.Review.Label, Repository: eff.Policy.Review.Repository}, nil
}

// MayDecide reports whether login may decide reviews: a listed user, an
// active member of a listed team (members of its child teams included, as
// GitHub counts them), or, when none is listed, an owner of the org.
// Membership is asked of GitHub each time, never taken from text. Only a
// 404 means "not a member"; any other error (a 5xx, a rate limit, a
// missing permission) is returned, so that the job is retried or fails
// rather than answering "you may not".
func MayDecide(ctx context.Context, client *github.Client, a Authority, login string) (bool, error) {
	if len(a.Approvers) == 0 {
		m, _, err := client.Organizations.GetOrgMembership(ctx, login, a.Org)
		if ghclient.NotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("org membership of %s in %s: %w", login, a.Org, err)
		}
		return m.GetState() == "active" && m.GetRole() == "admin", nil
	}
	for _, ap := range a.Approvers {
		if !strings.HasPrefix(ap, "@") {
			if strings.EqualFold(ap, login) {
				return true, nil
			}
			continue
		}
		org, team, ok := strings.Cut(strings.TrimPrefix(ap, "@"), "/")
		if !ok {
			continue
		}
		m, _, err := client.Teams.GetTeamMembershipBySlug(ctx, org, team, login)
		if ghclient.NotFound(err) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("membership of %s in %s: %w", login, ap, err)
		}
		if m.GetState() == "active" {
			return true, nil
		}
	}
	return false, nil
}

// Describe says who may decide, for replies.
func Describe(a Authority) string {
	if len(a.Approvers) == 0 {
		return "owners of the " + a.Org + " organisation"
	}
	var who []string
	for _, ap := range a.Approvers {
		if strings.HasPrefix(ap, "@") {
			who = append(who, "members of "+inert.Mention(ap))
		} else {
			who = append(who, inert.Mention(ap))
		}
	}
	return strings.Join(who, " or ")
}
