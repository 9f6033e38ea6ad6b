package check

import (
	"context"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/plan"
)

// keepSnapshot keeps the repository's snapshot for the policy plan
// (internal/plan), with what it was gathered for and the policy applied,
// or forgets it once GitHub no longer has the repository. A repository
// the policy leaves out (fork, archived) is kept too: a new policy may
// take it in.
func (c *Checker) keepSnapshot(ctx context.Context, r Repository, in *repositoryInput, out repositoryOutcome) error {
	switch {
	case in.orgInvalid != nil:
		return nil
	case in.gone:
		return c.Store.ForgetSnapshots(ctx, r.ID)
	}
	k := plan.Keep{InstallationID: r.InstallationID, Snapshot: in.snap, Policy: in.eff, At: time.Now()}
	if !out.skip {
		k.Snapshot = out.snap // with the labels the check created
	}
	if in.override != nil {
		k.OverrideInvalid = in.override.Error()
	}
	return plan.Record(ctx, c.Store, k)
}
