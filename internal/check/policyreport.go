package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// An invalid org policy stops every check of the org's repositories and
// pull requests until it is fixed. The checks that find it say so in one
// issue in the org's .github repository, where the admins who edit the
// file will see it, and a change of the file that makes it valid closes
// that issue (OrgPolicy).

const (
	policyMarker = "<!-- ospo-bot:policy-error -->"
	// policyValidMarker is in the comment that closes the report.
	policyValidMarker = "<!-- ospo-bot:policy-valid -->"
	policyLabel       = "ospo-policy"
)

// OrgPolicy checks the org's own policy, after a change of it: an invalid
// one is reported (the issue opened or updated), a valid one closes the
// report. valid says whether the org's repositories are to be checked
// again.
func (c *Checker) OrgPolicy(ctx context.Context, client *github.Client, org string) (valid bool, err error) {
	eff, err := policy.Load(ctx, client, org, ".github")
	var inv *policy.InvalidError
	if errors.As(err, &inv) {
		return false, c.reportPolicy(ctx, client, org, inv)
	}
	if err != nil {
		return false, err
	}
	if err := c.policyValid(ctx, client, org, eff.Version); err != nil {
		return false, err
	}
	return true, nil
}

// invalidPolicyFinding fails a pull request's or a merge group's check
// for the invalid org policy, which the report in the org's .github
// repository details.
func invalidPolicyFinding(org string, inv *policy.InvalidError) rules.Finding {
	return rules.Finding{Rule: "policy", Mode: policy.Enforce, Result: rules.Fail,
		Message: fmt.Sprintf("the org policy %s is invalid", inv.Source), Remediation: "an org admin fixes it; see the issue in " + org + "/.github"}
}

// reportPolicy opens, or updates, one issue in the org's .github repository
// that lists every problem of its ospo.yml with line and column, where the
// admins who edit it will see it. Nothing falls back to defaults meanwhile.
func (c *Checker) reportPolicy(ctx context.Context, client *github.Client, org string, inv *policy.InvalidError) error {
	var b strings.Builder
	b.WriteString(policyMarker + "\n")
	fmt.Fprintf(&b, "ospo-bot cannot read the org policy %s, so it checks no repository until the file is fixed:\n\n", inert.Code(inv.Source.String()))
	for _, e := range inv.Errors {
		fmt.Fprintf(&b, "- %s line %d, column %d: %s\n", inert.Code(e.File), e.Line, e.Column, inert.Text(e.Message))
	}
	b.WriteString("\nCheck a fix locally with `ospo-bot policy validate ospo.yml`. This issue closes itself when the file is valid.\n")
	body := inert.Cap(b.String())
	release, err := c.leasePolicyReport(ctx, org)
	if err != nil {
		return err
	}
	defer release()
	issue, err := c.findPolicyIssue(ctx, client, org)
	if err != nil {
		return err
	}
	if issue == nil {
		_, _, err := client.Issues.Create(ctx, org, ".github", &github.IssueRequest{
			Title: github.String("ospo.yml is invalid"), Body: &body, Labels: &[]string{policyLabel},
		})
		if err != nil {
			return fmt.Errorf("report the invalid policy in %s/.github: %w", org, err)
		}
		zerolog.Ctx(ctx).Warn().Str("policy", inv.Source.String()).Msg("invalid org policy reported in the .github repository")
		return nil
	}
	if issue.GetBody() == body {
		return nil
	}
	_, _, err = client.Issues.Edit(ctx, org, ".github", issue.GetNumber(), &github.IssueRequest{Body: &body})
	return err
}

// policyValid closes the invalid-policy issue, if there is one.
func (c *Checker) policyValid(ctx context.Context, client *github.Client, org, version string) error {
	release, err := c.leasePolicyReport(ctx, org)
	if err != nil {
		return err
	}
	defer release()
	issue, err := c.findPolicyIssue(ctx, client, org)
	if err != nil || issue == nil {
		return err
	}
	// Once: a retry after the comment's response was lost, or after the
	// close failed, finds the comment (the issue is still open).
	msg := fmt.Sprintf("The policy is valid now (%s). Closing.", inert.Code(version))
	key := fmt.Sprintf("policy valid %s/.github#%d", org, issue.GetNumber())
	if err := c.Review.CommentOnce(ctx, client, org, ".github", issue.GetNumber(), key, policyValidMarker, msg); err != nil {
		return err
	}
	_, _, err = client.Issues.Edit(ctx, org, ".github", issue.GetNumber(), &github.IssueRequest{State: github.String("closed"), StateReason: github.String("completed")})
	return err
}

// leasePolicyReport serialises the reports of an org's policy (Lease):
// every check of the org's repositories and pull requests reports an
// invalid org policy, and a sweep runs many at once, each of which would
// otherwise find no report and open one. A check that finds the lease
// held returns Lease's error (its job snoozes, then finds the report).
func (c *Checker) leasePolicyReport(ctx context.Context, org string) (release func(), err error) {
	return c.lease(ctx, "policy report "+strings.ToLower(org))
}

// lease takes Lease on subject; without Lease it serialises nothing.
func (c *Checker) lease(ctx context.Context, subject string) (release func(), err error) {
	if c.Lease == nil {
		return func() {}, nil
	}
	return c.Lease(ctx, subject)
}

// findPolicyIssue finds the app's open report: an issue its bot user (by
// ID) wrote with the marker. A person's copy of the marker is left alone.
func (c *Checker) findPolicyIssue(ctx context.Context, client *github.Client, org string) (*github.Issue, error) {
	bot, err := c.Review.Bot.Resolve(ctx, client)
	if err != nil {
		return nil, err
	}
	// Every page: copies of the marker must not push the app's own report
	// out of sight (a second report would be opened).
	opts := &github.IssueListByRepoOptions{State: "open", Labels: []string{policyLabel}, ListOptions: github.ListOptions{PerPage: 100}}
	is, err := ghclient.First(&opts.ListOptions, func(*github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return client.Issues.ListByRepo(ctx, org, ".github", opts)
	}, func(is *github.Issue) bool {
		if !strings.Contains(is.GetBody(), policyMarker) {
			return false
		}
		if bot.Wrote(is.GetUser()) && !is.IsPullRequest() {
			return true
		}
		zerolog.Ctx(ctx).Warn().Int("issue", is.GetNumber()).Str("issue_author", is.GetUser().GetLogin()).
			Msg("ignored an issue carrying the policy-error marker that the app did not write: forged")
		return false
	})
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list policy issues of %s/.github: %w", org, err)
	}
	return is, nil
}
