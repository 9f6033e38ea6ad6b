package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
)

// GatherCLA adds to snap what the CLA rule reads beyond the commits: the
// accounts of old-style noreply addresses, the signatures on record
// (Signatures) and, for allow-listed orgs, the memberships of the people
// involved who have not signed. The commits name these people, so the
// account and membership lookups share one budget per check
// (snapshot.DefaultLookupBudget) and are cached across checks (Lookups);
// the identities past the budget are snap.Unverified, and the CLA fails
// closed for them.
func (c *Checker) GatherCLA(ctx context.Context, client *github.Client, installationID int64, org string, snap *rules.PullRequest, r policy.CLARule) error {
	lookups := snapshot.NewLookups(client, installationID, c.Lookups, snapshot.DefaultLookupBudget)
	defer func() {
		snap.Unverified, snap.LookupBudget = lookups.Skipped(), lookups.Budget()
		if len(snap.Unverified) > 0 {
			zerolog.Ctx(ctx).Warn().Int("budget", lookups.Budget()).Int("skipped", len(snap.Unverified)).
				Msg("the commits name more identities to look up than a check's budget; the rest are not verified")
		}
	}()
	if logins := rules.NoreplyLogins(snap); len(logins) > 0 {
		users, err := lookups.Users(ctx, logins)
		if err != nil {
			return err
		}
		snap.Users = users
	}
	var ids []int64
	var logins []string
	for _, a := range rules.Involved(snap, r) {
		ids = append(ids, a.ID)
		logins = append(logins, a.Login)
	}
	sigs, err := c.Signatures.Signatures(ctx, org, ids)
	if err != nil {
		return err
	}
	snap.Signatures = map[int64]rules.Signature{}
	for id, s := range sigs {
		snap.Signatures[id] = rules.Signature{UserID: s.UserID, Login: s.Login, Version: s.Version, At: s.SignedAt, URL: s.URL}
	}
	if len(r.Allow.Orgs) > 0 {
		var unsigned []string
		for i, id := range ids {
			if _, ok := sigs[id]; !ok {
				unsigned = append(unsigned, logins[i])
			}
		}
		if snap.OrgMembers, err = lookups.OrgMembers(ctx, r.Allow.Orgs, unsigned); err != nil {
			return err
		}
	}
	return nil
}

// maxCompareFiles is how many files compare lists, for the whole
// comparison: https://docs.github.com/rest/commits/commits#compare-two-commits
const maxCompareFiles = 300

// gatherApprovals collects the approvals of protected-path changes: the
// `/ospo approve` comments recorded for the pull request (Approvals) and
// approving reviews, each checked against the approvers live (Deciders),
// and voided when a later commit touched protected paths again.
func (c *Checker) gatherApprovals(ctx context.Context, client *github.Client, pr PullRequest, snap *rules.PullRequest, patterns, approvers []string) error {
	type given struct {
		login, sha, url string
		at              time.Time
	}
	var all []given
	recorded, err := c.Approvals.PathApprovals(ctx, pr.Repository(), pr.Number)
	if err != nil {
		return err
	}
	for _, a := range recorded {
		all = append(all, given{a.Login, a.HeadSHA, a.URL, a.At})
	}
	reviews, err := ghclient.All(&github.ListOptions{PerPage: 100}, func(opts *github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
		return client.PullRequests.ListReviews(ctx, snap.Owner, snap.Name, snap.Number, opts)
	})
	if err != nil {
		return fmt.Errorf("list reviews of %s#%d: %w", pr.Repository(), pr.Number, err)
	}
	for _, rv := range reviews {
		if rv.GetState() == "APPROVED" {
			all = append(all, given{rv.GetUser().GetLogin(), rv.GetCommitID(), rv.GetHTMLURL(), rv.GetSubmittedAt().Time})
		}
	}
	authority := authz.Authority{Org: pr.Owner, Approvers: approvers}
	deciders := c.deciders(client)
	// Anyone who can review may approve many times: ask once a person.
	mayDecide := map[string]bool{}
	for _, g := range all {
		ok, asked := mayDecide[strings.ToLower(g.login)]
		if !asked {
			if ok, err = deciders.MayDecide(ctx, authority, g.login); err != nil {
				return err
			}
			mayDecide[strings.ToLower(g.login)] = ok
		}
		voided := false
		if ok && g.sha != snap.HeadSHA {
			if voided, err = touchedSince(ctx, client, snap, g.sha, patterns); err != nil {
				return err
			}
		}
		snap.Approvals = append(snap.Approvals, rules.PathApproval{Login: g.login, At: g.at, Authorized: ok, Voided: voided, URL: g.url})
	}
	return nil
}

// touchedSince reports whether an approval given at sha no longer holds
// at the pull request's head: a later commit changed protected paths;
// or sha is no longer in the pull request's history (a force push
// rewrote it: compare answers 404 for a commit GitHub no longer has, and
// "diverged" or "behind" for one the head does not contain); or the
// changes since sha reach the 300 files compare lists, so the rest is
// unknown. Each of these voids the approval (fail closed).
func touchedSince(ctx context.Context, client *github.Client, snap *rules.PullRequest, sha string, patterns []string) (bool, error) {
	if sha == "" {
		return true, nil
	}
	if sha == snap.HeadSHA {
		return false, nil
	}
	// Paged (per_page), compare lists the files once, on the first page.
	cmp, _, err := client.Repositories.CompareCommits(ctx, snap.Owner, snap.Name, sha, snap.HeadSHA, &github.ListOptions{PerPage: 1})
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusNotFound {
		zerolog.Ctx(ctx).Info().Str("approved_sha", sha).Msg("the approved commit is gone from the repository: approval void")
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("compare %s...%s: %w", sha, snap.HeadSHA, err)
	}
	if st := cmp.GetStatus(); st != "ahead" && st != "identical" {
		zerolog.Ctx(ctx).Info().Str("approved_sha", sha).Str("status", st).Msg("the approved commit is no longer in the pull request's history: approval void")
		return true, nil
	}
	if len(cmp.Files) >= maxCompareFiles {
		return true, nil
	}
	var files []string
	for _, f := range cmp.Files {
		files = append(files, f.GetFilename(), f.GetPreviousFilename())
	}
	return len(rules.ProtectedFiles(files, patterns)) > 0, nil
}
