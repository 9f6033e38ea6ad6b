package policy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"
	"github.com/palantir/go-githubapp/appconfig"
	"github.com/rs/zerolog"
)

// Where the policy files live.
const (
	// OrgRepo is the org repository that holds the org policy.
	OrgRepo = ".github"
	// OrgPath is the org policy's path in OrgRepo.
	OrgPath = "ospo.yml"
	// OverridePath is a repository override's path in the repository.
	OverridePath = ".github/ospo.yml"
)

// Load reads the policy in force for owner/repo from GitHub: the org's
// ospo.yml in its .github repository, and the repository's own
// .github/ospo.yml override. Either file may instead hold a remote
// reference (remote: owner/name, path:, ref:), as go-githubapp's appconfig
// understands it.
//
// It makes its API calls two by two at once: GET /repos/{owner}/.github
// (for its default branch) together with GET of ospo.yml on the branch it
// had last time (one round trip; the first load of an org, or one after
// the branch was renamed, reads them one after the other); and, for the
// override, GET of the repository (for its default branch: LoadAt takes
// it from the caller), of its root tree and, when the repository has a
// .github directory not seen before, of that directory's tree, and GET
// of the override only when that tree lists it. All but the .github
// directory's tree (known by SHA, asked once) are answered 304 from the
// ETag cache while nothing changes, which GitHub does not count; a
// missing override asked for directly is a 404, which GitHub counts on
// every check. A remote reference costs one or two more.
//
// An invalid file is an error of type *InvalidError naming the file and
// every problem (errors.Join of two when both files are invalid; errors.As
// finds the org's first); the defaults never replace a broken policy. For
// an invalid override under a valid org policy, the error's
// WithoutOverride holds the policy in force without it. With no file at all, the
// defaults apply. An override the org does not allow is read anyway, so
// that each ignored field is a Notice.
func Load(ctx context.Context, client *github.Client, owner, repo string) (*Effective, error) {
	return LoadAt(ctx, client, owner, repo, "")
}

// LoadAt is Load for a repository whose default branch the caller knows
// (a webhook's payload names it): the override's probe does not read the
// repository for it. "" reads it.
func LoadAt(ctx context.Context, client *github.Client, owner, repo, defaultBranch string) (*Effective, error) {
	repoLoader := appconfig.NewLoader([]string{OverridePath}, appconfig.WithOwnerDefault("", nil))

	var orgCfg, repoCfg appconfig.Config
	var orgErr, repoErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		orgCfg, orgErr = loadOrgConfig(ctx, client, owner)
	}()
	go func() {
		defer wg.Done()
		present, err := overridePresent(ctx, client, owner, repo, defaultBranch)
		if err != nil {
			zerolog.Ctx(ctx).Debug().Err(err).Msg("the override's presence is not known from the tree; reading it")
		}
		if !present {
			return
		}
		repoCfg, repoErr = repoLoader.LoadConfig(ctx, client, owner, repo, "")
	}()
	wg.Wait()
	if orgErr != nil {
		return nil, fmt.Errorf("reading the org policy (%s): %w", configName(orgCfg, owner+"/"+OrgRepo, OrgPath), orgErr)
	}
	if repoErr != nil {
		return nil, fmt.Errorf("reading the repository's policy override (%s): %w", configName(repoCfg, owner+"/"+repo, OverridePath), repoErr)
	}

	self := owner + "/" + repo
	var notices []Notice
	orgDoc, orgErr := parseConfig(orgCfg, self, true)
	repoDoc, repoErr := parseConfig(repoCfg, self, false)
	if orgErr == nil && orgDoc != nil && repoErr != nil && !allowsOverrides(orgDoc) {
		// The org ignores overrides; a broken one breaks nothing.
		var ie *InvalidError
		if errors.As(repoErr, &ie) {
			notices = append(notices, Notice{File: fileName(ie.Source, self),
				Message: fmt.Sprintf("this override is ignored: the org policy sets allow_repo_override: false (it also has %s)", plural(len(ie.Errors), "problem"))})
			repoErr = nil
		}
	}
	if orgDoc == nil && orgErr == nil {
		notices = append(notices, Notice{File: owner + "/" + OrgRepo + ":" + OrgPath,
			Message: "no org policy found; the defaults apply (if the file exists, install the app on " + owner + "/" + OrgRepo + ")"})
	}
	var ie *InvalidError
	if orgErr == nil && errors.As(repoErr, &ie) {
		ie.WithoutOverride = Resolve(orgDoc, nil)
		ie.WithoutOverride.Notices = append(slices.Clone(notices), ie.WithoutOverride.Notices...)
	}
	if err := errors.Join(orgErr, repoErr); err != nil {
		return nil, err
	}
	e := Resolve(orgDoc, repoDoc)
	e.Notices = append(notices, e.Notices...)
	return e, nil
}

func allowsOverrides(d *Document) bool {
	return d.Policy.AllowRepoOverride == nil || *d.Policy.AllowRepoOverride
}

// parseConfig parses a file appconfig found; nil when there is none.
func parseConfig(c appconfig.Config, self string, org bool) (*Document, error) {
	if c.IsUndefined() {
		return nil, nil
	}
	src := sourceOf(c)
	d, err := ParseDocument(fileName(src, self), c.Content, org)
	if err != nil {
		var errs Errors
		if !errors.As(err, &errs) {
			errs = Errors{{File: fileName(src, self), Message: err.Error()}}
		}
		src.SHA = BlobSHA(c.Content)
		return nil, &InvalidError{Source: src, Errors: errs, Org: org}
	}
	d.Source.Repo, d.Source.Path, d.Source.Ref = src.Repo, src.Path, src.Ref
	return d, nil
}

// sourceOf reads appconfig's "owner/name@ref" source.
func sourceOf(c appconfig.Config) Source {
	repo, ref, _ := strings.Cut(c.Source, "@")
	return Source{Repo: repo, Path: c.Path, Ref: ref}
}

// fileName names a file in errors and notices: its path in the repository
// being checked, owner/name:path in any other.
func fileName(s Source, self string) string {
	if strings.EqualFold(s.Repo, self) {
		return s.Path
	}
	return s.String()
}

func configName(c appconfig.Config, repo, path string) string {
	if c.Source != "" {
		repo, _, _ = strings.Cut(c.Source, "@")
	}
	if c.Path != "" {
		path = c.Path
	}
	return repo + ":" + path
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
