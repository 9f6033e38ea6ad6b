package check

import (
	"errors"
	"net/http"

	"github.com/google/go-github/v66/github"
)

// alreadyExists: GitHub refused to create something because it exists
// (422, code already_exists), as after a create whose response was lost.
func alreadyExists(err error) bool {
	var e *github.ErrorResponse
	if !errors.As(err, &e) || e.Response == nil || e.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, fe := range e.Errors {
		if fe.Code == "already_exists" {
			return true
		}
	}
	return false
}
