package check

import (
	"context"
	"errors"
	"testing"
)

// Two deliveries of one merge group (two replicas, a redelivery under a
// new ID) check it one at a time: the check takes the lease on the group's
// head before it reads or writes anything, and does nothing while another
// holds it (its job snoozes, then finds the run the other created).
func TestMergeGroupTakesTheGroupsLease(t *testing.T) {
	held := errors.New("held by another job")
	var subjects []string
	c := &Checker{Lease: func(_ context.Context, subject string) (func(), error) {
		subjects = append(subjects, subject)
		return nil, held
	}}
	g := MergeGroup{Owner: "acme", Name: "widget", HeadRef: "refs/heads/gh-readonly-queue/main/pr-1-abc", HeadSHA: "0123456789abcdef0123456789abcdef01234567"}
	// No client: the check must not reach GitHub while the lease is held.
	if err := c.MergeGroup(context.Background(), nil, g); !errors.Is(err, held) {
		t.Fatalf("MergeGroup with the lease held: %v", err)
	}
	if want := "merge group acme/widget@" + g.HeadSHA; len(subjects) != 1 || subjects[0] != want {
		t.Fatalf("leases asked for: %q, want [%q]", subjects, want)
	}
}
