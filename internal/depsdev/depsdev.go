// Package depsdev looks up the licences of package versions in deps.dev's
// v3 API (https://docs.deps.dev/api/v3/), keeping each answer in the store.
package depsdev

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// DefaultURL is deps.dev's public API.
const DefaultURL = "https://api.deps.dev"

// How long an answer is kept: a version's licences rarely change once
// published; "not found" may be a version deps.dev has not read yet.
const (
	FoundTTL    = 30 * 24 * time.Hour
	NotFoundTTL = 6 * time.Hour
)

// maxBody bounds what is read of one answer (a version's details are a
// few kilobytes).
const maxBody = 1 << 20

// Cache keeps answers; *store.Store is one.
type Cache interface {
	PackageLicense(ctx context.Context, system, name, version string, now time.Time) (store.PackageLicense, bool, error)
	PutPackageLicense(ctx context.Context, p store.PackageLicense) error
}

// Client asks deps.dev. Its zero value is not usable: use New.
type Client struct {
	base  string
	http  *http.Client
	cache Cache // nil: nothing kept
	now   func() time.Time
	// UserAgent names ospo-bot to deps.dev.
	UserAgent string
}

// New returns a client of the API at base (DefaultURL when empty) that
// keeps its answers in cache (nil: none). Each request gives up after 10s.
func New(base string, cache Cache) *Client {
	if base == "" {
		base = DefaultURL
	}
	return &Client{base: strings.TrimSuffix(base, "/"), cache: cache, now: time.Now,
		http: &http.Client{Timeout: 10 * time.Second}, UserAgent: "ospo-bot (+https://github.com/ospo-bot/ospo-bot)"}
}

// System is deps.dev's name of an ecosystem, as GitHub's dependency graph
// or a package URL names it ("npm", "gomod", "golang", "pip", "pypi",
// "cargo", "maven"); "" when deps.dev does not serve it.
func System(ecosystem string) string {
	switch strings.ToLower(ecosystem) {
	case "npm":
		return "NPM"
	case "gomod", "golang", "go":
		return "GO"
	case "pip", "pypi", "poetry":
		return "PYPI"
	case "cargo", "rust":
		return "CARGO"
	case "maven":
		return "MAVEN"
	}
	return ""
}

// License returns the SPDX expression deps.dev gives a package version
// (several licences joined with AND), or "" when deps.dev does not know
// the version, its licence, or the ecosystem. A Maven name is
// "group:artifact". An error (deps.dev unreachable, too slow, 5xx, a
// malformed answer) is never "unknown": the caller retries.
func (c *Client) License(ctx context.Context, ecosystem, name, version string) (string, error) {
	system := System(ecosystem)
	if system == "" || name == "" || version == "" {
		return "", nil
	}
	now := c.now()
	if c.cache != nil {
		kept, ok, err := c.cache.PackageLicense(ctx, system, name, version, now)
		if err != nil {
			return "", err
		}
		if ok {
			return join(kept.Licenses), nil
		}
	}
	found, licenses, err := c.fetch(ctx, system, name, version)
	if err != nil {
		return "", err
	}
	if c.cache != nil {
		ttl := FoundTTL
		if !found {
			ttl = NotFoundTTL
		}
		if err := c.cache.PutPackageLicense(ctx, store.PackageLicense{System: system, Name: name, Version: version,
			Found: found, Licenses: licenses, FetchedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
			return "", err
		}
	}
	return join(licenses), nil
}

// versionOut is the part of GetVersion's answer read here.
type versionOut struct {
	Licenses []string `json:"licenses"`
}

func (c *Client) fetch(ctx context.Context, system, name, version string) (bool, []string, error) {
	u := c.base + "/v3/systems/" + url.PathEscape(system) + "/packages/" + url.PathEscape(name) + "/versions/" + url.PathEscape(version)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, nil, fmt.Errorf("deps.dev: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.UserAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return false, nil, fmt.Errorf("deps.dev: licence of %s %s@%s: %w", system, name, version, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return false, nil, fmt.Errorf("deps.dev: licence of %s %s@%s: %w", system, name, version, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return false, nil, nil
	case resp.StatusCode != http.StatusOK:
		return false, nil, fmt.Errorf("deps.dev: licence of %s %s@%s: %s", system, name, version, resp.Status)
	case len(body) > maxBody:
		return false, nil, fmt.Errorf("deps.dev: licence of %s %s@%s: answer over %d bytes", system, name, version, maxBody)
	}
	var out versionOut
	if err := json.Unmarshal(body, &out); err != nil {
		return false, nil, fmt.Errorf("deps.dev: licence of %s %s@%s: %w", system, name, version, err)
	}
	var licenses []string
	for _, l := range out.Licenses {
		l = strings.TrimSpace(l)
		// "non-standard" names a licence that is no SPDX expression:
		// as good as unknown to a policy of SPDX expressions.
		if l == "" || strings.EqualFold(l, "non-standard") || strings.ContainsAny(l, "\r\n") {
			continue
		}
		licenses = append(licenses, l)
	}
	return true, licenses, nil
}

// join makes one expression of several licences, all of which apply.
func join(licenses []string) string {
	if len(licenses) <= 1 {
		return strings.Join(licenses, "")
	}
	parts := make([]string, len(licenses))
	for i, l := range licenses {
		if strings.ContainsAny(l, " ") {
			l = "(" + l + ")"
		}
		parts[i] = l
	}
	return strings.Join(parts, " AND ")
}
