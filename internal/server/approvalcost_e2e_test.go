package server_test

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestRepeatedApprovalsCostOneLookup: whether an approving review's author
// may approve protected paths is asked of GitHub (team membership). Anyone
// who can review may approve a pull request many times; one check asks
// once per person, not once per review, and the lead's approval among
// them still counts.
func TestRepeatedApprovalsCostOneLookup(t *testing.T) {
	s, n, _ := relicensePR(t)
	for range 30 {
		if _, err := s.GitHub.AddReview("acme", "widget", n, githubfake.Review{User: "bob", State: "APPROVED"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.GitHub.AddReview("acme", "widget", n, githubfake.Review{User: "lead", State: "APPROVED"}); err != nil {
		t.Fatal(err)
	}
	payload := s.prPayload("widget", n, "synchronize")
	s.GitHub.Reset()
	s.deliver("pull_request", payload)
	lookups := s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.Route == "/orgs/{org}/teams/{team_slug}/memberships/{username}"
	})
	if lookups > 2 {
		t.Errorf("one check asked %d times whether bob or the lead may approve; want once each", lookups)
	}
	if cr := s.check("widget", n); cr.Conclusion != "success" {
		t.Fatalf("the lead's approval among bob's: %s: %s", cr.Conclusion, cr.Output.Title)
	}
}
