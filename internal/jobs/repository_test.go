package jobs

import (
	"testing"

	"github.com/google/go-github/v66/github"
)

func TestMadePublicOnlyByThePublicizingEvent(t *testing.T) {
	for _, tc := range []struct {
		action     string
		private    bool
		visibility string
		want       bool
	}{
		{"publicized", false, "public", true},
		{"created", false, "public", true},
		{"created", false, "", true},
		{"created", true, "private", false},
		{"created", true, "internal", false},
		{"edited", false, "public", false},
		{"renamed", false, "public", false},
		{"transferred", false, "public", false},
		{"unarchived", false, "public", false},
		{"privatized", true, "private", false},
	} {
		ev := &github.RepositoryEvent{Action: github.String(tc.action), Repo: &github.Repository{Private: github.Bool(tc.private)}}
		if tc.visibility != "" {
			ev.Repo.Visibility = github.String(tc.visibility)
		}
		if got := madePublic(ev); got != tc.want {
			t.Errorf("%s (private %v, %q): %v, want %v", tc.action, tc.private, tc.visibility, got, tc.want)
		}
	}
}
