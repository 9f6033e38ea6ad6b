package review

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
)

// indexMargin is how far before the latest update it saw the index asks
// again: an issue GitHub lists late (its own replication, or an update
// made at the same second) is still listed by the next look. Under
// GitHub's limit on content creation (80 a minute), the issues updated
// within it fit one page.
const indexMargin = 30 * time.Second

// issueIndex remembers, per review repository and label, the app's own
// review issues by the repository their marker names, as GitHub listed
// them. Looking for a repository's issue before opening one (findMarked:
// the retry of an attempt whose response was lost must find the issue it
// opened) then lists only the issues updated since the last look, not
// every review issue again: a 1,000-repository install listed 5,473
// pages of issues before (issue 12). The first look in a process lists
// them all, once.
//
// Each entry is a fact GitHub gave; a replica's index is its own, and
// every look starts from GitHub's list, so replicas need not agree. An
// issue found gone (Sync reads it: 404 or 410) is forgotten.
type issueIndex struct {
	mu    sync.Mutex
	repos map[string]*indexedRepo
}

type indexedRepo struct {
	mu      sync.Mutex // held through a look: one look at a time
	scanned bool
	latest  time.Time     // the latest updated_at GitHub listed
	issues  map[int64]int // repository ID → its newest review issue's number
}

func indexKey(repo, label string) string {
	return strings.ToLower(repo) + "\x00" + strings.ToLower(label)
}

func (x *issueIndex) repo(repo, label string) *indexedRepo {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.repos == nil {
		x.repos = map[string]*indexedRepo{}
	}
	k := indexKey(repo, label)
	r := x.repos[k]
	if r == nil {
		r = &indexedRepo{issues: map[int64]int{}}
		x.repos[k] = r
	}
	return r
}

// forget drops an issue found gone.
func (x *issueIndex) forget(repo, label string, repositoryID int64, number int) {
	r := x.repo(repo, label)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.issues[repositoryID] == number {
		delete(r.issues, repositoryID)
	}
}

// find looks for the app's own issue carrying the repository's marker
// among the review-labelled issues of owner/name, open or closed: it
// lists those updated since the last look (all of them the first time),
// newest first, and indexes every one it finds. Listed newest first, an
// issue that exists when the look starts cannot be missed for issues
// updated meanwhile: they move to the front, and push the others back.
func (x *issueIndex) find(ctx context.Context, client *github.Client, owner, name, label string, repositoryID int64, bot appbot.Identity) (int, error) {
	r := x.repo(owner+"/"+name, label)
	r.mu.Lock()
	defer r.mu.Unlock()
	opts := &github.IssueListByRepoOptions{State: "all", Labels: []string{label}, Sort: "updated", Direction: "desc",
		ListOptions: github.ListOptions{PerPage: 100}}
	if r.scanned && !r.latest.IsZero() {
		opts.Since = r.latest.Add(-indexMargin)
	}
	issues, err := ghclient.All(&opts.ListOptions, func(*github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return client.Issues.ListByRepo(ctx, owner, name, opts)
	})
	if err != nil {
		return 0, fmt.Errorf("list review issues of %s/%s: %w", owner, name, err)
	}
	for _, is := range issues {
		if u := is.GetUpdatedAt().Time; u.After(r.latest) {
			r.latest = u
		}
		id, ok := MarkedRepository(is.GetBody())
		if !ok || !ownIssue(ctx, bot, is, label, id) {
			continue
		}
		if is.GetNumber() > r.issues[id] {
			r.issues[id] = is.GetNumber()
		}
	}
	r.scanned = true
	return r.issues[repositoryID], nil
}
