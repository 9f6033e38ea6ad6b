// Package check runs a check of a repository, a pull request or a merge group as four stages: gather, evaluate (pure), act on GitHub, record in the store.
package check

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Checker runs checks. It holds no state of one check: River's jobs call
// it, one subject at a time (the caller serialises checks of a subject).
type Checker struct {
	// Store records the results (and the intent of a visibility change).
	Store *store.Store
	// Review writes the OSPO review issue; Reporter the check run and the
	// sticky comment.
	Review   *review.Manager
	Reporter *prcheck.Reporter
	// Lease serialises, across the checks of all replicas, a side effect
	// that is not the subject's own: the report of an invalid org policy
	// (policyreport.go), which every check of the org's repositories
	// makes; and a merge group's check, which runs in its delivery's job,
	// not in a check job holding the subject's lease. It returns once the running job holds the lease on subject,
	// or an error that its job settles (another holds it: it snoozes).
	// nil serialises nothing.
	Lease func(ctx context.Context, subject string) (release func(), err error)
	// Lookups caches the CLA's account and membership lookups across
	// checks (see GatherCLA).
	Lookups *snapshot.LookupCache

	// The readers of what the gatherer reads besides the subject's own
	// data on GitHub.
	Signatures SignatureReader
	Approvals  ApprovalReader
	Results    ResultReader
	// Licenses looks up the licences of the dependencies a pull request
	// adds that GitHub gives none for (depsdev.Client, which keeps them
	// in the store); nil: they stay unknown.
	Licenses snapshot.LicenseLookup
	// Allowances reads the `/ospo allow`s of a pull request, for the
	// dependencies rule; nil reads none (no dependency is allowed by one).
	Allowances AllowanceReader
	// Deciders says who may approve protected paths; nil asks GitHub
	// (authz.MayDecide) with the check's client.
	Deciders Deciders
	// ShowRunAfter is how long a pull request's gathering may take before
	// its check run is created in progress (0: DefaultShowRunAfter;
	// negative: at once, before the gathering).
	ShowRunAfter time.Duration
	// Now is the clock a repository check reads the review's exemptions
	// at (an exemption "until" a day expires after it); nil: time.Now.
	Now func() time.Time
}

// SignatureReader reads the CLA signatures on record of an org's CLA, by
// GitHub user ID (*store.Store).
type SignatureReader interface {
	Signatures(ctx context.Context, org string, ids []int64) (map[int64]store.Signature, error)
}

// ApprovalReader reads the `/ospo approve` approvals of a pull request's
// protected paths recorded by the command handlers (*store.Store).
type ApprovalReader interface {
	PathApprovals(ctx context.Context, repository string, number int) ([]store.PathApproval, error)
}

// AllowanceReader reads the `/ospo allow` allowances of a pull request's
// dependencies recorded by the command handlers (*store.Store).
type AllowanceReader interface {
	PackageAllowances(ctx context.Context, repository string, number int) ([]store.PackageAllowance, error)
}

// ResultReader reads the pull requests' own results recorded at a commit
// (*store.Store), which a merge group's check reads.
type ResultReader interface {
	PullRequestsAt(ctx context.Context, repository, sha string) ([]store.PullRequestResult, error)
}

// Deciders says whether login may decide under a (authz.MayDecide).
type Deciders interface {
	MayDecide(ctx context.Context, a authz.Authority, login string) (bool, error)
}

// live asks GitHub who may decide.
type live struct{ client *github.Client }

func (l live) MayDecide(ctx context.Context, a authz.Authority, login string) (bool, error) {
	return authz.MayDecide(ctx, l.client, a, login)
}

func (c *Checker) deciders(client *github.Client) Deciders {
	if c.Deciders != nil {
		return c.Deciders
	}
	return live{client}
}

// Repository is the repository a check is about.
type Repository struct {
	InstallationID int64
	ID             int64
	Owner, Name    string
	// Publicized says the check runs for the event that made the
	// repository public, the only one on which
	// review.private_until_approved may make it private again.
	Publicized bool
	// Evaluation names this evaluation (the job making it): the same on
	// every retry of it.
	Evaluation string
}

// PullRequest is the pull request a check is about, at one head commit:
// the one value its four stages pass along.
type PullRequest struct {
	// PR names it to the check run and the sticky comment: the base
	// repository's owner and name, number, head commit, page, evaluation.
	prcheck.PR
	InstallationID int64
	ID             int64 // GitHub's
	BaseRef        string
	// gh is the pull request as GitHub gave it (a webhook's payload or
	// GET /pulls/{n}), which the gatherer reads without asking again.
	gh *github.PullRequest
}

// PullRequestOf is the pull request GitHub gave, as a check's subject for
// the evaluation named.
func PullRequestOf(installationID int64, pr *github.PullRequest, evaluation string) PullRequest {
	base := pr.GetBase().GetRepo()
	return PullRequest{
		PR: prcheck.PR{Owner: base.GetOwner().GetLogin(), Name: base.GetName(), Number: pr.GetNumber(),
			HeadSHA: pr.GetHead().GetSHA(), HTMLURL: pr.GetHTMLURL(), Evaluation: evaluation},
		InstallationID: installationID, ID: pr.GetID(), BaseRef: pr.GetBase().GetRef(), gh: pr,
	}
}

// Open reports whether GitHub gave the pull request as open.
func (p PullRequest) Open() bool { return p.gh.GetState() == "open" }

// Ref names the pull request in the store.
func (p PullRequest) Ref() store.PullRequestRef {
	return store.PullRequestRef{InstallationID: p.InstallationID, Repository: p.Repository(), Number: p.Number}
}

// Repository is the base repository's owner/name.
func (p PullRequest) Repository() string { return p.Owner + "/" + p.Name }

// ReadPullRequest reads a pull request afresh from GitHub, as the subject
// of a check for the evaluation named.
func ReadPullRequest(ctx context.Context, client *github.Client, ref store.PullRequestRef, evaluation string) (PullRequest, error) {
	owner, name, _ := strings.Cut(ref.Repository, "/")
	pr, _, err := client.PullRequests.Get(ctx, owner, name, ref.Number)
	if err != nil {
		return PullRequest{}, fmt.Errorf("read %s#%d: %w", ref.Repository, ref.Number, err)
	}
	return PullRequestOf(ref.InstallationID, pr, evaluation), nil
}

// LoadPolicy loads the policy in force for a repository. An invalid
// repository override is returned beside the org policy, which applies
// without it; an invalid org policy is an error.
func LoadPolicy(ctx context.Context, client *github.Client, owner, name string) (*policy.Effective, *policy.InvalidError, error) {
	return LoadPolicyAt(ctx, client, owner, name, "")
}

// LoadPolicyAt is LoadPolicy for a repository whose default branch the
// caller knows ("" reads it: see policy.LoadAt).
func LoadPolicyAt(ctx context.Context, client *github.Client, owner, name, defaultBranch string) (*policy.Effective, *policy.InvalidError, error) {
	eff, err := policy.LoadAt(ctx, client, owner, name, defaultBranch)
	var inv *policy.InvalidError
	if errors.As(err, &inv) && !inv.Org && inv.WithoutOverride != nil {
		return inv.WithoutOverride, inv, nil
	}
	return eff, nil, err
}

// gathered is the policy a check applies, as LoadPolicy found it.
type gathered struct {
	eff      *policy.Effective
	override *policy.InvalidError // an invalid repository override, left out
	// orgInvalid: the org policy is invalid, and nothing else is gathered
	// until it is fixed.
	orgInvalid *policy.InvalidError
}

func gatherPolicy(ctx context.Context, client *github.Client, owner, name, defaultBranch string) (gathered, error) {
	eff, override, err := LoadPolicyAt(ctx, client, owner, name, defaultBranch)
	var orgErr *policy.InvalidError
	if errors.As(err, &orgErr) && orgErr.Org {
		return gathered{orgInvalid: orgErr}, nil
	}
	return gathered{eff: eff, override: override}, err
}

// OverrideFinding reports an invalid repository override beside the
// results, which the org policy alone decided.
func OverrideFinding(inv *policy.InvalidError) rules.Finding {
	return rules.Finding{Rule: "policy", Mode: policy.Enforce, Result: rules.Fail,
		Message:     fmt.Sprintf("%s is invalid; the org policy applies without it", inv.Source),
		Remediation: strings.ReplaceAll(inv.Errors.Error(), "\n", "; ")}
}

// WebBase is the GitHub web root of a repository URL ("https://github.com").
func WebBase(htmlURL string) string {
	u, err := url.Parse(htmlURL)
	if err != nil || u.Host == "" {
		return "https://github.com"
	}
	return u.Scheme + "://" + u.Host
}
