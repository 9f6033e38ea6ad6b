package snapshot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// maxPullCommits is how many commits GET /pulls/{n}/commits lists at most.
const maxPullCommits = 250

// PullRequest gathers what the enabled pull request rules of p read (the
// union of their rules.Needs), from the pull request as a webhook or GET
// /pulls/{n} gave it:
//
//   - the commits, when a rule reads them: GET /pulls/{n}/commits, 1 call per 100; past 250
//     commits, which that endpoint never lists, the compare endpoint
//     page by page; the count is checked against GitHub's, and a list
//     that falls short is marked incomplete (the rules fail closed);
//   - the changed files, when a rule reads them: GET /pulls/{n}/files, 1 call per
//     100 files. Not compare, which lists at most 300 files; this lists
//     3,000 (https://docs.github.com/rest/pulls/pulls#list-pull-requests-files).
//     A renamed file is one change with both its paths; the changes read
//     are checked against GitHub's changed_files, and a list that falls
//     short (past 3,000) is marked incomplete (the rule fails closed).
//
// The CLA signatures, org memberships and approvals are check.Checker's
// to gather, through its readers.
func PullRequest(ctx context.Context, client *github.Client, pr *github.PullRequest, p policy.PullRequestRules) (*rules.PullRequest, error) {
	need := rules.NeedsOf(rules.Enabled(&policy.Policy{PullRequest: p}, rules.PullRequestScope))
	base := pr.GetBase().GetRepo()
	owner, name := base.GetOwner().GetLogin(), base.GetName()
	out := &rules.PullRequest{
		Owner: owner, Name: name, Number: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA(),
		Opener:      account(pr.GetUser()),
		CommitCount: pr.GetCommits(),
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	// The dependencies rule reads the changed manifests' patches
	// (Dependencies, called by check.Checker).
	need.ChangedFiles = need.ChangedFiles || p.Dependencies.Mode.On()
	if !need.Commits && !need.ChangedFiles {
		return out, nil // no rule reads them (the labels come with pr)
	}
	if need.Commits && need.ChangedFiles {
		if ok, err := compareAll(ctx, client, owner, name, pr, out); ok || err != nil {
			return out, err
		}
	}
	commits, err := pullCommits(ctx, client, owner, name, pr)
	if err != nil {
		return nil, err
	}
	out.Commits = commits
	// The commits and files endpoints answer for the head the pull request
	// has now. A push since pr was read (between the webhook and this job)
	// gives another head's commits and files: they are not pr's head's, and
	// nothing is passed (or recorded as passed) on them. The newer head has
	// its own event.
	atHead := len(commits) == pr.GetCommits() &&
		slices.ContainsFunc(commits, func(c rules.Commit) bool { return c.SHA == out.HeadSHA })
	out.CommitsComplete = atHead
	if need.ChangedFiles {
		files, err := pullFiles(ctx, client, owner, name, pr.GetNumber())
		if err != nil {
			return nil, err
		}
		var read int
		out.Files, out.Renamed, read = filePaths(files)
		out.Status, out.Patches = fileChanges(files)
		out.FilesRead, out.FileCount = read, pr.GetChangedFiles()
		out.FilesComplete = read >= pr.GetChangedFiles() && atHead
	}
	return out, nil
}

// maxCompareFiles is how many files compare lists, for the whole
// comparison; unpaged, it lists at most maxPullCommits commits
// (https://docs.github.com/rest/commits/commits#compare-two-commits).
const maxCompareFiles = 300

// compareAll reads a pull request's commits and changed files in one
// request, where the two lists cost two: GET /compare/{base}...{head},
// unpaged, lists up to 250 commits and 300 files at once. It serves only
// a pull request within those limits, and only when what it lists is
// exactly the pull request's: as many commits as GitHub counts, its head
// among them, and as many changed files (the base commit the event names
// may be older than the one GitHub compares the pull request with). ok
// is false, with no error, when the pull request's own endpoints must
// answer instead.
func compareAll(ctx context.Context, client *github.Client, owner, name string, pr *github.PullRequest, out *rules.PullRequest) (ok bool, err error) {
	base, head := pr.GetBase().GetSHA(), pr.GetHead().GetSHA()
	if base == "" || head == "" || pr.GetCommits() == 0 || pr.GetCommits() > maxPullCommits || pr.GetChangedFiles() >= maxCompareFiles {
		return false, nil
	}
	cmp, _, err := client.Repositories.CompareCommits(ctx, owner, name, base, head, nil)
	if status := httpStatus(err); status == http.StatusNotFound || status == http.StatusUnprocessableEntity {
		zerolog.Ctx(ctx).Info().Int("status", status).Msg("compare does not serve this pull request; reading its commits and files")
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("compare %s...%s in %s/%s: %w", base, head, owner, name, err)
	}
	if cmp.GetTotalCommits() != pr.GetCommits() || len(cmp.Commits) != pr.GetCommits() || len(cmp.Files) != pr.GetChangedFiles() ||
		!slices.ContainsFunc(cmp.Commits, func(c *github.RepositoryCommit) bool { return c.GetSHA() == head }) {
		zerolog.Ctx(ctx).Info().Int("compared_commits", cmp.GetTotalCommits()).Int("compared_files", len(cmp.Files)).
			Msg("compare lists other commits or files than the pull request's; reading its own")
		return false, nil
	}
	for _, c := range cmp.Commits {
		out.Commits = append(out.Commits, commitOf(c))
	}
	out.Files, out.Renamed, out.FilesRead = filePaths(cmp.Files)
	out.Status, out.Patches = fileChanges(cmp.Files)
	out.FileCount = pr.GetChangedFiles()
	out.CommitsComplete, out.FilesComplete = true, true
	return true, nil
}

func httpStatus(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

func pullCommits(ctx context.Context, client *github.Client, owner, name string, pr *github.PullRequest) ([]rules.Commit, error) {
	var raw []*github.RepositoryCommit
	var err error
	if pr.GetCommits() <= maxPullCommits {
		raw, err = ghclient.All(&github.ListOptions{PerPage: 100}, func(opts *github.ListOptions) ([]*github.RepositoryCommit, *github.Response, error) {
			return client.PullRequests.ListCommits(ctx, owner, name, pr.GetNumber(), opts)
		})
		if err != nil {
			return nil, fmt.Errorf("list commits of %s/%s#%d: %w", owner, name, pr.GetNumber(), err)
		}
	} else {
		// More than the pull request endpoint lists: compare base and head.
		base, head := pr.GetBase().GetSHA(), pr.GetHead().GetSHA()
		raw, err = ghclient.All(&github.ListOptions{PerPage: 100}, comparePage(ctx, client, owner, name, base, head, nil))
		if err != nil {
			return nil, fmt.Errorf("compare %s...%s in %s/%s: %w", base, head, owner, name, err)
		}
	}
	var out []rules.Commit
	for _, c := range raw {
		out = append(out, commitOf(c))
	}
	return out, nil
}

// comparePage pages the commits of base...head through the compare
// endpoint, and keeps GitHub's count of them in total (when not nil). A
// page without commits is the last, whatever its next link says.
func comparePage(ctx context.Context, client *github.Client, owner, name, base, head string, total *int) ghclient.Page[*github.RepositoryCommit] {
	return func(opts *github.ListOptions) ([]*github.RepositoryCommit, *github.Response, error) {
		cmp, resp, err := client.Repositories.CompareCommits(ctx, owner, name, base, head, opts)
		if err != nil {
			return nil, resp, err
		}
		if total != nil {
			*total = cmp.GetTotalCommits()
		}
		if len(cmp.Commits) == 0 {
			resp.NextPage = 0
		}
		return cmp.Commits, resp, nil
	}
}

// pullFiles lists the files a pull request changes.
func pullFiles(ctx context.Context, client *github.Client, owner, name string, number int) ([]*github.CommitFile, error) {
	files, err := ghclient.All(&github.ListOptions{PerPage: 100}, func(opts *github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return client.PullRequests.ListFiles(ctx, owner, name, number, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("list files of %s/%s#%d: %w", owner, name, number, err)
	}
	return files, nil
}

// fileChanges are the changed files' statuses and patches, by path (a
// rename's old path: removed).
func fileChanges(files []*github.CommitFile) (status, patches map[string]string) {
	status, patches = map[string]string{}, map[string]string{}
	for _, f := range files {
		if prev := f.GetPreviousFilename(); prev != "" {
			status[prev] = "removed"
		}
		status[f.GetFilename()] = f.GetStatus()
		patches[f.GetFilename()] = f.GetPatch()
	}
	return status, patches
}

// filePaths lists the paths of changed files, both paths of a rename
// (and renamed: new path → old path), and how many changes they are (a
// rename counts once).
func filePaths(files []*github.CommitFile) (paths []string, renamed map[string]string, read int) {
	renamed = map[string]string{}
	seen := map[string]bool{}
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	for _, f := range files {
		add(f.GetFilename())
		if prev := f.GetPreviousFilename(); prev != "" {
			add(prev)
			renamed[f.GetFilename()] = prev
		}
	}
	return paths, renamed, len(files)
}

func commitOf(c *github.RepositoryCommit) rules.Commit {
	gc := c.GetCommit()
	out := rules.Commit{
		SHA: c.GetSHA(), Message: gc.GetMessage(), Parents: len(c.Parents),
		Author:    rules.Person{Name: gc.GetAuthor().GetName(), Email: gc.GetAuthor().GetEmail()},
		Committer: rules.Person{Name: gc.GetCommitter().GetName(), Email: gc.GetCommitter().GetEmail()},
	}
	if u := c.GetAuthor(); u != nil && u.GetID() != 0 {
		a := account(u)
		out.Author.Account = &a
	}
	if u := c.GetCommitter(); u != nil && u.GetID() != 0 {
		a := account(u)
		out.Committer.Account = &a
	}
	return out
}

func account(u *github.User) rules.Account {
	return rules.Account{ID: u.GetID(), Login: u.GetLogin(), Type: u.GetType()}
}
