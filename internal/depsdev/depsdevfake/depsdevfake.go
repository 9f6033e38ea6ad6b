// Package depsdevfake is a fake of deps.dev's v3 GetVersion endpoint that
// serves licences from a table, for tests and the demo (no internet).
package depsdevfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

type key struct{ system, name, version string }

// Server answers GET /v3/systems/{system}/packages/{name}/versions/{version}
// as deps.dev does: the version's licences, or 404 for a version it does
// not hold.
type Server struct {
	mu       sync.Mutex
	table    map[key][]string
	fail     int // answer this status to every request while not 0
	requests int
	srv      *httptest.Server
}

// New starts a fake on a local port; Close stops it.
func New() *Server {
	s := NewHandler()
	s.srv = httptest.NewServer(s)
	return s
}

// NewHandler returns a fake that is not listening: serve it yourself.
func NewHandler() *Server { return &Server{table: map[key][]string{}} }

// URL is the fake's base URL (OSPO_DEPSDEV_URL).
func (s *Server) URL() string { return s.srv.URL }

// Close stops the fake started by New.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Set gives a package version its licences (none: deps.dev knows the
// version but not its licence). system is deps.dev's: NPM, GO, PYPI,
// CARGO, MAVEN.
func (s *Server) Set(system, name, version string, licenses ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.table[key{system, name, version}] = append([]string{}, licenses...)
}

// Fail makes every request answer status (0: serve again).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = status
}

// Requests is how many requests the fake has had.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

type versionKey struct {
	System  string `json:"system"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

type licenseDetail struct {
	License string `json:"license"`
	SPDX    string `json:"spdx"`
}

type versionOut struct {
	VersionKey     versionKey      `json:"versionKey"`
	IsDefault      bool            `json:"isDefault"`
	Licenses       []string        `json:"licenses"`
	LicenseDetails []licenseDetail `json:"licenseDetails"`
	AdvisoryKeys   []any           `json:"advisoryKeys"`
	Links          []any           `json:"links"`
}

type errorOut struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	fail := s.fail
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail != 0 {
		w.WriteHeader(fail)
		_ = json.NewEncoder(w).Encode(errorOut{Code: 14, Message: http.StatusText(fail), Details: []any{}})
		return
	}
	// /v3/systems/{system}/packages/{name}/versions/{version}, each
	// segment percent-encoded (a name may hold '/', '@', ':').
	seg := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if r.Method != http.MethodGet || len(seg) != 7 || seg[0] != "v3" || seg[1] != "systems" || seg[3] != "packages" || seg[5] != "versions" {
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(errorOut{Code: 5, Message: "Not Found", Details: []any{}})
		return
	}
	var k key
	for i, p := range []*string{&k.system, &k.name, &k.version} {
		v, err := url.PathUnescape(seg[2+2*i])
		if err != nil || v == "" {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(errorOut{Code: 3, Message: "invalid path", Details: []any{}})
			return
		}
		*p = v
	}
	k.system = strings.ToUpper(k.system)
	s.mu.Lock()
	licenses, found := s.table[k]
	s.mu.Unlock()
	if !found {
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(errorOut{Code: 5, Message: "version not found", Details: []any{}})
		return
	}
	out := versionOut{VersionKey: versionKey{k.system, k.name, k.version}, Licenses: licenses,
		LicenseDetails: []licenseDetail{}, AdvisoryKeys: []any{}, Links: []any{}}
	if out.Licenses == nil {
		out.Licenses = []string{}
	}
	for _, l := range licenses {
		out.LicenseDetails = append(out.LicenseDetails, licenseDetail{License: l, SPDX: l})
	}
	_ = json.NewEncoder(w).Encode(out)
}
