package policy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"
	"github.com/palantir/go-githubapp/appconfig"
)

// orgBranches remembers the default branch of each org's .github
// repository (by lower-case owner), so that the next load reads the
// repository and ospo.yml on that branch at once: one round trip, both
// answered 304 while nothing changes. The repository is still read every
// time, so a renamed default branch is seen in the same load (which then
// reads ospo.yml again, on the new branch).
var orgBranches = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// maxOrgBranches bounds orgBranches; past it the map starts again (the
// next load of each org costs a second round trip once).
const maxOrgBranches = 10_000

// loadOrgConfig reads the org policy as appconfig's owner default does
// (OrgPath in the org's OrgRepo, on its default branch, following a remote
// reference), with the same Source ("owner/.github@branch") and errors,
// but in one round trip when the default branch is known.
func loadOrgConfig(ctx context.Context, client *github.Client, owner string) (appconfig.Config, error) {
	key := strings.ToLower(owner)
	orgBranches.Lock()
	known := orgBranches.m[key]
	orgBranches.Unlock()

	var repo *github.Repository
	var repoErr error
	var cfg appconfig.Config
	var cfgErr error
	if known != "" {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, cfgErr = readOrgFile(ctx, client, owner, known)
		}()
		repo, _, repoErr = client.Repositories.Get(ctx, owner, OrgRepo)
		wg.Wait()
	} else {
		repo, _, repoErr = client.Repositories.Get(ctx, owner, OrgRepo)
	}
	if repoErr != nil {
		var gerr *github.ErrorResponse
		if errors.As(repoErr, &gerr) && gerr.Response != nil && gerr.Response.StatusCode == http.StatusNotFound {
			// No .github repository (or the app cannot see it): no org policy.
			orgBranches.Lock()
			delete(orgBranches.m, key)
			orgBranches.Unlock()
			return appconfig.Config{}, nil
		}
		return appconfig.Config{Source: owner + "/" + OrgRepo}, fmt.Errorf("failed to get default repository: %w", repoErr)
	}
	branch := repo.GetDefaultBranch()
	if branch != known {
		orgBranches.Lock()
		if len(orgBranches.m) >= maxOrgBranches {
			orgBranches.m = map[string]string{}
		}
		orgBranches.m[key] = branch
		orgBranches.Unlock()
		cfg, cfgErr = readOrgFile(ctx, client, owner, branch)
	}
	return cfg, cfgErr
}

// readOrgFile reads OrgPath in the org's OrgRepo at ref, following a
// remote reference; an undefined Config when there is no such file.
func readOrgFile(ctx context.Context, client *github.Client, owner, ref string) (appconfig.Config, error) {
	ld := appconfig.NewLoader([]string{OrgPath}, appconfig.WithOwnerDefault("", nil))
	return ld.LoadConfig(ctx, client, owner, OrgRepo, ref)
}
