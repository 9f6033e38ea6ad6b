package githubfake

import (
	"maps"
	"net/url"
	"slices"
	"time"
)

// Request is one request the fake answered.
type Request struct {
	Method string
	Path   string // unescaped, as in url.URL.Path
	// Route is GitHub's template of the route that served it, e.g.
	// /repos/{owner}/{repo}/issues/{issue_number}; empty when none did.
	Route          string
	Query          url.Values
	Body           []byte
	Status         int
	NotModified    bool  // answered 304 Not Modified
	InstallationID int64 // from the installation token; 0 for the app or none
	Time           time.Time
	Fault          string // the injected fault, if any
	// Host is the Host header the client sent: clients given the fake's
	// URL under different host names (127.0.0.1, localhost) can be told
	// apart.
	Host string
}

// Requests returns a copy of the request log, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Request, len(f.log))
	for i, r := range f.log {
		r.Query = maps.Clone(r.Query)
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// CountRequests counts the logged requests for which match is true.
func (f *Fake) CountRequests(match func(Request) bool) int {
	n := 0
	for _, r := range f.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

// Reset clears the request log (not the violations, nor the state).
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = nil
}

// Violations lists the requests GitHub would not have accepted: routes it
// does not have, and parameters or bodies its API description rejects.
func (f *Fake) Violations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.violations)
}

// ClearViolations forgets the violations seen so far, for tests that make
// invalid requests on purpose.
func (f *Fake) ClearViolations() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.violations = nil
}

// CheckNoViolations reports each violation as a test error.
func (f *Fake) CheckNoViolations(t TB) {
	t.Helper()
	for _, v := range f.Violations() {
		t.Errorf("githubfake: %s", v)
	}
}

func (f *Fake) addViolation(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.violations = append(f.violations, msg)
}
