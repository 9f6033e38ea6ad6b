package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestFilesExplicitEmptyListRequiresNothing: `files: {required: []}` is set
// and empty (README, "Not set vs. empty"): nothing is required. The rule
// used to put its own defaults back and fail an empty repository.
func TestFilesExplicitEmptyListRequiresNothing(t *testing.T) {
	p, err := policy.Parse("ospo.yml", []byte("repository:\n  files: {mode: enforce, required: []}\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	p = p.WithDefaults()
	if p.Repository.Files.Required == nil || len(p.Repository.Files.Required) != 0 {
		t.Fatalf("policy: required = %#v, want an empty list", p.Repository.Files.Required)
	}
	f := Files(&Snapshot{Paths: []string{"main.go"}}, p.Repository.Files)
	if f.Result != Pass {
		t.Fatalf("files with required: [] = %s: %s", f.Result, f.Message)
	}
}
