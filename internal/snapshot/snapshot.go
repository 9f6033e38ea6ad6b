// Package snapshot gathers what the rules need to know of a repository from GitHub, in as few API calls as it can.
package snapshot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/manifest"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// ErrGone is returned for a repository GitHub no longer has (deleted, or
// the app lost access).
var ErrGone = errors.New("repository not found")

// CodeownersPaths are where GitHub looks for CODEOWNERS, in its order.
var CodeownersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// Repository gathers a snapshot of owner/name for the enabled repository
// rules of p: the union of their rules.Needs.
//
//   - the repository (visibility, flags, topics, default branch): 1 call;
//   - the root tree of the default branch, and the .github/, docs/ and
//     LICENSES/ subtrees when they exist and a rule lists them: 0 to 4
//     calls;
//   - the text of the files the rules read (every license file, every
//     file of LICENSES/, the CODEOWNERS GitHub uses): 1 call each;
//   - the root package manifests whose licence field the license rule
//     compares (rules.ManifestFiles), when there are any: 1 call each;
//   - GitHub's CODEOWNERS errors, when there is a CODEOWNERS: 1 call;
//   - the labels: 1 call per 100 labels;
//   - the org .github repository's health files, when a community health
//     file a rule looks for is missing here: the repository (GitHub uses
//     it only when it is public; loading the policy has just read it, so
//     this is a conditional request), 1 to 3 trees, and the text of a
//     file a rule reads from there when the repository has none: 2 to 5
//     calls;
//   - whether private vulnerability reporting is on: 1 call.
//
// Every call goes through the ETag cache, so a repeated check costs
// conditional requests that GitHub does not count against the rate limit.
func Repository(ctx context.Context, client *github.Client, owner, name string, p policy.RepositoryRules) (*rules.Snapshot, error) {
	pol := &policy.Policy{Repository: p}
	enabled := rules.Enabled(pol, rules.RepositoryScope)
	need := rules.NeedsOf(enabled)
	repo, _, err := client.Repositories.Get(ctx, owner, name)
	if err != nil {
		if ghclient.Status(err) == http.StatusNotFound {
			return nil, fmt.Errorf("%s/%s: %w", owner, name, ErrGone)
		}
		return nil, fmt.Errorf("get repository %s/%s: %w", owner, name, err)
	}
	s := &rules.Snapshot{
		Owner:         repo.GetOwner().GetLogin(),
		Name:          repo.GetName(),
		ID:            repo.GetID(),
		Private:       repo.GetPrivate() || repo.GetVisibility() == "internal",
		Archived:      repo.GetArchived(),
		Fork:          repo.GetFork(),
		DefaultBranch: repo.GetDefaultBranch(),
		Topics:        repo.Topics,
		HTMLURL:       repo.GetHTMLURL(),
		Contents:      map[string]string{},
	}
	g := gatherer{ctx: ctx, client: client, s: s}
	if len(need.Dirs) > 0 {
		if err := g.tree(need.Dirs); err != nil {
			return nil, err
		}
	}
	for _, f := range need.Read {
		if err := g.readAll(f); err != nil {
			return nil, err
		}
	}
	if need.Manifests {
		if err := g.declared(); err != nil {
			return nil, err
		}
	}
	if need.CodeownersErrors {
		if err := g.codeownersErrors(); err != nil {
			return nil, err
		}
	}
	if need.Labels {
		if err := g.labels(); err != nil {
			return nil, err
		}
	}
	if need.OrgHealth && rules.MissingHealth(enabled, pol, s.Paths) {
		if err := g.orgDefaults(need.Read); err != nil {
			return nil, err
		}
	}
	if need.PrivateReporting {
		if err := g.privateReporting(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

type gatherer struct {
	ctx    context.Context
	client *github.Client
	s      *rules.Snapshot
}

// subdirs are the directories of the root a rule may list, in the order
// Paths lists them.
var subdirs = []string{".github", "docs", rules.ReuseDir}

// tree lists the root of the default branch, and those of the .github/,
// docs/ and LICENSES/ directories dirs names, when the root has them.
func (g *gatherer) tree(dirs []string) error {
	s := g.s
	paths, err := listTree(g.ctx, g.client, s.Owner, s.Name, s.DefaultBranch, "")
	if err != nil || paths == nil {
		return err // nil paths: an empty repository
	}
	s.Paths = paths.names
	for _, dir := range subdirs {
		sha, ok := paths.dirs[dir]
		if !ok || !slices.Contains(dirs, dir) {
			continue
		}
		sub, err := listTree(g.ctx, g.client, s.Owner, s.Name, sha, dir+"/")
		if err != nil {
			return err
		}
		if sub != nil {
			s.Paths = append(s.Paths, sub.names...)
		}
	}
	return nil
}

type treeList struct {
	names []string
	dirs  map[string]string // name → tree SHA
}

// listTree lists one directory level; nil for an empty repository.
func listTree(ctx context.Context, client *github.Client, owner, name, sha, prefix string) (*treeList, error) {
	tree, _, err := client.Git.GetTree(ctx, owner, name, sha, false)
	if err != nil {
		// 409: "Git Repository is empty"; 404: no such branch yet.
		if s := ghclient.Status(err); s == http.StatusConflict || s == http.StatusNotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("list files of %s/%s at %s%s: %w", owner, name, sha, prefix, err)
	}
	out := &treeList{dirs: map[string]string{}}
	for _, e := range tree.Entries {
		p := prefix + e.GetPath()
		if e.GetType() == "tree" {
			out.dirs[e.GetPath()] = e.GetSHA()
			p += "/"
		}
		out.names = append(out.names, p)
	}
	return out, nil
}

// read fetches the text of a file on the default branch into Contents.
func (g *gatherer) read(p string) error {
	s := g.s
	file, _, _, err := g.client.Repositories.GetContents(g.ctx, s.Owner, s.Name, p, &github.RepositoryContentGetOptions{Ref: s.DefaultBranch})
	if err != nil {
		return fmt.Errorf("read %s of %s/%s: %w", p, s.Owner, s.Name, err)
	}
	text, err := file.GetContent()
	if err != nil {
		return fmt.Errorf("decode %s of %s/%s: %w", p, s.Owner, s.Name, err)
	}
	s.Contents[p] = text
	return nil
}

// readAll reads the files of a rules.FileSet that the listing has.
func (g *gatherer) readAll(f rules.FileSet) error {
	for _, p := range f.Find(g.s.Paths) {
		if _, done := g.s.Contents[p]; done {
			continue
		}
		if err := g.read(p); err != nil {
			return err
		}
	}
	return nil
}

// declared reads the licence each root package manifest declares
// (manifest.DeclaredLicense). A manifest that cannot be read or parsed is
// recorded with its problem, for the rule to report.
func (g *gatherer) declared() error {
	s := g.s
	s.Declared = []rules.Declared{}
	for _, p := range rules.ManifestFiles(s.Paths) {
		d := rules.Declared{File: p}
		file, _, _, err := g.client.Repositories.GetContents(g.ctx, s.Owner, s.Name, p, &github.RepositoryContentGetOptions{Ref: s.DefaultBranch})
		if err != nil {
			return fmt.Errorf("read %s of %s/%s: %w", p, s.Owner, s.Name, err)
		}
		var text string
		if file == nil || file.GetType() != "file" {
			d.Problem = "it is not a regular file"
		} else if text, err = file.GetContent(); err != nil {
			// GitHub leaves the content of a file over 1 MB out ("encoding": "none").
			d.Problem = "its content could not be read through GitHub's contents API (a file over 1 MB?)"
		}
		if d.Problem == "" {
			expr, line, ok, err := manifest.DeclaredLicense(p, []byte(text))
			switch {
			case err != nil:
				d.Problem = err.Error()
			case ok:
				d.Expr, d.Line = expr, line
			}
		}
		s.Declared = append(s.Declared, d)
	}
	return nil
}

// codeownersErrors reads the errors GitHub finds in the CODEOWNERS file
// it uses, when there is one.
func (g *gatherer) codeownersErrors() error {
	s := g.s
	if !slices.ContainsFunc(CodeownersPaths, func(p string) bool { return slices.Contains(s.Paths, p) }) {
		return nil
	}
	errs, _, err := g.client.Repositories.GetCodeownersErrors(g.ctx, s.Owner, s.Name, &github.GetCodeownersErrorsOptions{Ref: s.DefaultBranch})
	if err != nil && ghclient.Status(err) != http.StatusNotFound {
		return fmt.Errorf("CODEOWNERS errors of %s/%s: %w", s.Owner, s.Name, err)
	}
	if errs == nil {
		return nil
	}
	for _, e := range errs.Errors {
		s.CodeownersErrors = append(s.CodeownersErrors, rules.CodeownersError{
			Line: e.Line, Column: e.Column, Kind: e.Kind, Source: e.Source,
			Suggestion: e.GetSuggestion(), Message: e.Message, Path: e.Path,
		})
	}
	return nil
}

func (g *gatherer) labels() error {
	s := g.s
	labels, err := ghclient.All(&github.ListOptions{PerPage: 100}, func(opts *github.ListOptions) ([]*github.Label, *github.Response, error) {
		return g.client.Issues.ListLabels(g.ctx, s.Owner, s.Name, opts)
	})
	if err != nil {
		return fmt.Errorf("list labels of %s/%s: %w", s.Owner, s.Name, err)
	}
	s.Labels = []policy.Label{}
	for _, l := range labels {
		s.Labels = append(s.Labels, policy.Label{Name: l.GetName(), Color: l.GetColor(), Description: l.GetDescription()})
	}
	return nil
}

// orgDefaults lists the org .github repository's community health files
// (its root, .github/ and docs/), which GitHub shows for repositories that
// have none of their own when that repository is public
// (https://docs.github.com/en/communities/setting-up-your-project-for-healthy-contributions/creating-a-default-community-health-file),
// and reads the files of reads (rules.FileSet.OrgDefault) that the
// repository lacks and the org has.
func (g *gatherer) orgDefaults(reads []rules.FileSet) error {
	s := g.s
	if s.Name == ".github" {
		return nil
	}
	org, _, err := g.client.Repositories.Get(g.ctx, s.Owner, ".github")
	if ghclient.Status(err) == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get %s/.github: %w", s.Owner, err)
	}
	if org.GetPrivate() || org.GetVisibility() != "public" && org.GetVisibility() != "" {
		return nil // GitHub shows no defaults from a private .github
	}
	root, err := listTree(g.ctx, g.client, s.Owner, ".github", org.GetDefaultBranch(), "")
	if err != nil || root == nil {
		return err
	}
	s.OrgDefaults = root.names
	for _, dir := range []string{".github", "docs"} {
		if sha, ok := root.dirs[dir]; ok {
			sub, err := listTree(g.ctx, g.client, s.Owner, ".github", sha, dir+"/")
			if err != nil {
				return err
			}
			if sub != nil {
				s.OrgDefaults = append(s.OrgDefaults, sub.names...)
			}
		}
	}
	for _, f := range reads {
		if !f.OrgDefault || len(f.Find(s.Paths)) > 0 {
			continue
		}
		for _, p := range f.Find(s.OrgDefaults) {
			file, _, _, err := g.client.Repositories.GetContents(g.ctx, s.Owner, ".github", p, &github.RepositoryContentGetOptions{Ref: org.GetDefaultBranch()})
			if err != nil {
				return fmt.Errorf("read %s of %s/.github: %w", p, s.Owner, err)
			}
			text, err := file.GetContent()
			if err != nil {
				return fmt.Errorf("decode %s of %s/.github: %w", p, s.Owner, err)
			}
			if s.OrgContents == nil {
				s.OrgContents = map[string]string{}
			}
			s.OrgContents[p] = text
		}
	}
	return nil
}

// privateReporting asks whether private vulnerability reporting is on (GET
// /repos/{owner}/{repo}/private-vulnerability-reporting; an app needs
// Metadata: read, which every app has). 422 and 404, which GitHub answers
// for a repository that cannot have it: off.
func (g *gatherer) privateReporting() error {
	s := g.s
	on, _, err := g.client.Repositories.IsPrivateReportingEnabled(g.ctx, s.Owner, s.Name)
	switch ghclient.Status(err) {
	case http.StatusUnprocessableEntity, http.StatusNotFound:
		on, err = false, nil
	}
	if err != nil {
		return fmt.Errorf("private vulnerability reporting of %s/%s: %w", s.Owner, s.Name, err)
	}
	s.PrivateReporting = &on
	return nil
}
