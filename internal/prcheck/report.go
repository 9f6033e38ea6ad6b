package prcheck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// commentMarker finds the sticky comment among a pull request's comments.
const commentMarker = "<!-- ospo-bot:pull-request -->"

// resolved is the digest of a sticky comment turned into a ✅ note.
const resolved = "resolved"

// Reporter writes check runs and sticky comments, and keeps their IDs: a
// retry finds its check run, and the one sticky comment is edited.
type Reporter struct {
	Store *store.Store
	// Bot knows the app's bot user: only its comment is the sticky one.
	Bot *appbot.Resolver
}

// PR names the pull request and the head commit being checked.
type PR struct {
	Owner, Name string
	Number      int
	HeadSHA     string
	// HTMLURL is the pull request's page, linked where a list is cut.
	HTMLURL string
	// Evaluation names this evaluation of the pull request (the job making
	// it): the same on every retry, so a retry finds the check run it
	// created instead of creating a second one. "" always creates a run.
	Evaluation string
}

func (p PR) full() string { return p.Owner + "/" + p.Name }

// Run is one evaluation's check run, from Start to Finish, and the pull
// request's state around it.
type Run struct {
	store.PullRequestState
	// completed: an earlier attempt of this evaluation completed the run,
	// which is never modified again but for the annotations it did not
	// get to append: annotated is how many the run has.
	completed bool
	annotated int
}

// Start creates the evaluation's check run on the head commit, in
// progress. Every evaluation (a new commit, a signature, a label, Re-run,
// `/ospo recheck`) gets a new run, so no stale conclusion or annotation
// survives, and a completed run is never modified again: GitHub does not
// let a completed run go back to in progress. A retry of the same
// evaluation finds the run it created: the evaluation is recorded before
// the run is created, and tagged on it as external_id.
func (r *Reporter) Start(ctx context.Context, client *github.Client, pr PR) (Run, error) {
	run, err := r.Prepare(ctx, client, pr)
	if err != nil {
		return run, err
	}
	return r.InProgress(ctx, client, pr, run)
}

// Prepare records the evaluation, and finds the check run an earlier
// attempt of it created, but creates none: InProgress creates it in
// progress, or Complete creates it completed when the results are ready
// before it was worth showing the check under way (one request instead
// of two). The run Prepare returns has no ID when there was none.
func (r *Reporter) Prepare(ctx context.Context, client *github.Client, pr PR) (Run, error) {
	st, err := r.Store.PullRequestStateOf(ctx, pr.full(), pr.Number)
	run := Run{PullRequestState: st}
	if err != nil {
		return run, err
	}
	switch {
	case pr.Evaluation == "":
		run.HeadSHA, run.CheckRunID, run.CheckRunEvaluation = pr.HeadSHA, 0, ""
	case st.CheckRunEvaluation == pr.Evaluation:
		found, err := r.findRun(ctx, client, pr, st)
		if err != nil {
			return run, err
		}
		if found != nil {
			run.HeadSHA, run.CheckRunID, run.completed = pr.HeadSHA, found.GetID(), found.GetStatus() == "completed"
			run.annotated = found.GetOutput().GetAnnotationsCount()
			return run, r.Store.SavePullRequestState(ctx, run.PullRequestState)
		}
		run.HeadSHA, run.CheckRunID = pr.HeadSHA, 0
	default:
		run.HeadSHA, run.CheckRunID, run.CheckRunEvaluation = pr.HeadSHA, 0, pr.Evaluation
		if err := r.Store.SavePullRequestState(ctx, run.PullRequestState); err != nil {
			return run, err
		}
	}
	return run, nil
}

// Created reports whether the run exists on GitHub.
func (run Run) Created() bool { return run.CheckRunID != 0 }

// InProgress creates the run Prepare returned, in progress, unless it
// exists already.
func (r *Reporter) InProgress(ctx context.Context, client *github.Client, pr PR, run Run) (Run, error) {
	if run.Created() {
		return run, nil
	}
	now := github.Timestamp{Time: time.Now()}
	opts := github.CreateCheckRunOptions{Name: CheckName, HeadSHA: pr.HeadSHA, Status: github.String("in_progress"), StartedAt: &now}
	if pr.Evaluation != "" {
		opts.ExternalID = github.String(pr.Evaluation)
	}
	created, _, err := client.Checks.CreateCheckRun(ctx, pr.Owner, pr.Name, opts)
	if err != nil {
		return run, fmt.Errorf("create check run on %s@%s: %w", pr.full(), pr.HeadSHA, err)
	}
	run.HeadSHA, run.CheckRunID, run.CheckRunEvaluation = pr.HeadSHA, created.GetID(), pr.Evaluation
	return run, r.Store.SavePullRequestState(ctx, run.PullRequestState)
}

// findRun looks for the check run an earlier attempt of this evaluation
// created on the head commit: by its recorded ID, or, when the attempt
// stopped before recording it, by its external_id. nil when there is none.
func (r *Reporter) findRun(ctx context.Context, client *github.Client, pr PR, st store.PullRequestState) (*github.CheckRun, error) {
	if st.HeadSHA == pr.HeadSHA && st.CheckRunID != 0 {
		run, _, err := client.Checks.GetCheckRun(ctx, pr.Owner, pr.Name, st.CheckRunID)
		if err == nil {
			return run, nil
		}
		if !notFound(err) {
			return nil, fmt.Errorf("read check run %d of %s#%d: %w", st.CheckRunID, pr.full(), pr.Number, err)
		}
	}
	opts := &github.ListCheckRunsOptions{CheckName: github.String(CheckName), Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: 100}}
	run, err := ghclient.First(&opts.ListOptions, func(*github.ListOptions) ([]*github.CheckRun, *github.Response, error) {
		page, resp, err := client.Checks.ListCheckRunsForRef(ctx, pr.Owner, pr.Name, pr.HeadSHA, opts)
		if err != nil {
			return nil, resp, err
		}
		return page.CheckRuns, resp, nil
	}, func(run *github.CheckRun) bool { return run.GetExternalID() == pr.Evaluation })
	if err != nil {
		return nil, fmt.Errorf("list check runs on %s@%s: %w", pr.full(), pr.HeadSHA, err)
	}
	return run, nil
}

// Finish completes the check run with the findings, unless an earlier
// attempt of this evaluation completed it already.
func (r *Reporter) Finish(ctx context.Context, client *github.Client, pr PR, run Run, fs []rules.Finding) error {
	_, err := r.Complete(ctx, client, pr, run, fs)
	return err
}

// Complete completes the check run with the findings, unless an earlier
// attempt of this evaluation completed it already, and returns it (pass
// it on to Comment: it holds the run's ID). A run Prepare left uncreated
// is created completed, in one request, tagged with the evaluation like
// any other, so that a retry finds it.
func (r *Reporter) Complete(ctx context.Context, client *github.Client, pr PR, run Run, fs []rules.Finding) (Run, error) {
	all := Annotations(fs)
	output := &github.CheckRunOutput{
		Title:   github.String(Title(fs)),
		Summary: github.String(Summary(fs, pr.HTMLURL)),
	}
	if run.completed {
		return run, r.annotate(ctx, client, pr, run, output, all[min(run.annotated, len(all)):])
	}
	now := github.Timestamp{Time: time.Now()}
	first := all[:min(len(all), maxAnnotations)]
	output.Annotations = first
	actions := []*github.CheckRunAction{{Label: "Recheck", Description: "Check this pull request again", Identifier: RecheckAction}}
	if !run.Created() {
		opts := github.CreateCheckRunOptions{Name: CheckName, HeadSHA: pr.HeadSHA, Status: github.String("completed"),
			Conclusion: github.String(Conclusion(fs)), StartedAt: &now, CompletedAt: &now, Output: output, Actions: actions}
		if pr.Evaluation != "" {
			opts.ExternalID = github.String(pr.Evaluation)
		}
		created, _, err := client.Checks.CreateCheckRun(ctx, pr.Owner, pr.Name, opts)
		if err != nil {
			return run, fmt.Errorf("create the completed check run on %s@%s: %w", pr.full(), pr.HeadSHA, err)
		}
		run.HeadSHA, run.CheckRunID, run.CheckRunEvaluation, run.completed = pr.HeadSHA, created.GetID(), pr.Evaluation, true
		if err := r.Store.SavePullRequestState(ctx, run.PullRequestState); err != nil {
			return run, err
		}
		return run, r.annotate(ctx, client, pr, run, output, all[len(first):])
	}
	_, _, err := client.Checks.UpdateCheckRun(ctx, pr.Owner, pr.Name, run.CheckRunID, github.UpdateCheckRunOptions{
		Name:        CheckName,
		Status:      github.String("completed"),
		Conclusion:  github.String(Conclusion(fs)),
		CompletedAt: &now,
		Output:      output,
		Actions:     actions,
	})
	if err != nil {
		return run, fmt.Errorf("complete check run of %s#%d: %w", pr.full(), pr.Number, err)
	}
	run.completed = true
	return run, r.annotate(ctx, client, pr, run, output, all[len(first):])
}

// annotate appends annotations to the completed run, 50 a request: GitHub
// appends each request's to those the run has (the title and summary,
// which an output needs, are sent again unchanged). A retry of the
// evaluation appends only those the run does not have yet (Prepare reads
// how many it has).
func (r *Reporter) annotate(ctx context.Context, client *github.Client, pr PR, run Run, output *github.CheckRunOutput, rest []*github.CheckRunAnnotation) error {
	for len(rest) > 0 {
		batch := rest[:min(len(rest), maxAnnotations)]
		rest = rest[len(batch):]
		_, _, err := client.Checks.UpdateCheckRun(ctx, pr.Owner, pr.Name, run.CheckRunID, github.UpdateCheckRunOptions{Name: CheckName,
			Output: &github.CheckRunOutput{Title: output.Title, Summary: output.Summary, Annotations: batch}})
		if err != nil {
			return fmt.Errorf("annotate the check run of %s#%d: %w", pr.full(), pr.Number, err)
		}
	}
	return nil
}

// Comment keeps the one sticky comment in step with what the contributor
// must do (body; empty when nothing): created only when there is something
// to do, edited in place when that changes, turned into a short ✅ note once
// resolved; never a second one, never one on a first-run pass. A comment
// someone deleted is posted again when there is something new to say.
func (r *Reporter) Comment(ctx context.Context, client *github.Client, pr PR, run Run, body string) error {
	st := run.PullRequestState
	digest := resolved
	if body != "" {
		sum := sha256.Sum256([]byte(body))
		digest = hex.EncodeToString(sum[:8])
	}
	if digest == st.CommentDigest {
		return nil
	}
	if st.CommentID == 0 && body == "" {
		return nil // nothing to say and nothing said
	}
	text := inert.CapWithin(fit.Body.Max, fit.Body.Len, func(max int) string { return fit.Body.Cut(commentMarker+"\n"+body, max) })
	if body == "" {
		text = commentMarker + "\n✅ Everything the policy asks of contributors is done. Thank you!"
	}
	for again := false; ; again = true {
		if st.CommentID == 0 {
			bot, err := r.Bot.Resolve(ctx, client)
			if err != nil {
				return err
			}
			id, err := findMarked(ctx, client, pr, bot)
			if err != nil {
				return err
			}
			st.CommentID = id
		}
		if st.CommentID == 0 {
			if body == "" {
				break // deleted, and nothing is left to do: no new comment just to say so
			}
			c, _, err := client.Issues.CreateComment(ctx, pr.Owner, pr.Name, pr.Number, &github.IssueComment{Body: &text})
			if err != nil {
				return fmt.Errorf("comment on %s#%d: %w", pr.full(), pr.Number, err)
			}
			st.CommentID = c.GetID()
			break
		}
		_, _, err := client.Issues.EditComment(ctx, pr.Owner, pr.Name, st.CommentID, &github.IssueComment{Body: &text})
		if err == nil {
			break
		}
		if again || !notFound(err) {
			return fmt.Errorf("edit comment %d on %s#%d: %w", st.CommentID, pr.full(), pr.Number, err)
		}
		// Someone deleted it: post it again, once (an earlier attempt of
		// this job may have done so already; findMarked finds that one).
		zerolog.Ctx(ctx).Info().Int64("comment_id", st.CommentID).Msg("the sticky comment was deleted; posting it again")
		st.CommentID = 0
	}
	st.CommentDigest = digest
	return r.Store.SavePullRequestState(ctx, st)
}

// findMarked reads every page of comments for the sticky one: the app's
// bot user's (by ID) comment that starts with the marker. Anyone can copy
// the marker, another app's bot included; such a comment is left alone.
func findMarked(ctx context.Context, client *github.Client, pr PR, bot appbot.Identity) (int64, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	c, err := ghclient.First(&opts.ListOptions, func(*github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return client.Issues.ListComments(ctx, pr.Owner, pr.Name, pr.Number, opts)
	}, func(c *github.IssueComment) bool {
		if !strings.Contains(c.GetBody(), commentMarker) {
			return false
		}
		if bot.Wrote(c.GetUser()) && strings.HasPrefix(c.GetBody(), commentMarker) {
			return true
		}
		zerolog.Ctx(ctx).Warn().Int64("comment_id", c.GetID()).Str("comment_author", c.GetUser().GetLogin()).
			Msg("ignored a comment carrying the sticky marker that the app did not write (forged) or that does not start with it")
		return false
	})
	if err != nil {
		return 0, fmt.Errorf("list comments of %s#%d: %w", pr.full(), pr.Number, err)
	}
	return c.GetID(), nil
}

// notFound reports a 404 from GitHub.
func notFound(err error) bool {
	var e *github.ErrorResponse
	return errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusNotFound
}
