package depsdev_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/depsdev"
	"github.com/ospo-bot/ospo-bot/internal/depsdev/depsdevfake"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// A licence is asked once, then read from the store; a version deps.dev
// does not know is kept as unknown too; a scoped npm name and a Maven
// name are path-escaped.
func TestLicenseCachedInTheStore(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			fake := depsdevfake.New()
			defer fake.Close()
			fake.Set("NPM", "@colors/colors", "1.6.0", "MIT")
			fake.Set("MAVEN", "org.apache:commons-lang3", "3.14.0", "Apache-2.0")
			fake.Set("CARGO", "dual", "1.0.0", "MIT OR Apache-2.0", "BSD-3-Clause", "non-standard")
			s := storetest.Open(t, d)
			c := depsdev.New(fake.URL(), s)
			for range 2 {
				for _, tc := range []struct{ eco, name, version, want string }{
					{"npm", "@colors/colors", "1.6.0", "MIT"},
					{"maven", "org.apache:commons-lang3", "3.14.0", "Apache-2.0"},
					{"cargo", "dual", "1.0.0", "(MIT OR Apache-2.0) AND BSD-3-Clause"},
					{"pip", "nothere", "0.1", ""},
				} {
					got, err := c.License(ctx, tc.eco, tc.name, tc.version)
					if err != nil || got != tc.want {
						t.Fatalf("License(%s %s@%s) = %q, %v; want %q", tc.eco, tc.name, tc.version, got, err, tc.want)
					}
				}
			}
			if n := fake.Requests(); n != 4 {
				t.Fatalf("deps.dev was asked %d times, want 4 (the second round from the store)", n)
			}
			if got, err := c.License(ctx, "nuget", "x", "1"); err != nil || got != "" || fake.Requests() != 4 {
				t.Fatalf("an ecosystem deps.dev lacks: %q, %v, %d requests", got, err, fake.Requests())
			}
		})
	}
}

// A 5xx or a timeout is an error, never an unknown licence, and nothing
// is kept: the next try asks again.
func TestLicenseErrorsAreNotUnknown(t *testing.T) {
	ctx := context.Background()
	fake := depsdevfake.New()
	defer fake.Close()
	fake.Set("NPM", "left-pad", "1.3.0", "WTFPL")
	s := storetest.Open(t, store.SQLite)
	c := depsdev.New(fake.URL(), s)
	fake.Fail(http.StatusServiceUnavailable)
	if got, err := c.License(ctx, "npm", "left-pad", "1.3.0"); err == nil {
		t.Fatalf("a 503 gave %q", got)
	}
	fake.Fail(0)
	if got, err := c.License(ctx, "npm", "left-pad", "1.3.0"); err != nil || got != "WTFPL" {
		t.Fatalf("after the outage: %q, %v", got, err)
	}

	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer slow.Close()
	defer close(block)
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if got, err := depsdev.New(slow.URL, nil).License(tctx, "npm", "left-pad", "1.3.0"); err == nil {
		t.Fatalf("a timeout gave %q", got)
	}
}

// The request names ospo-bot and asks for JSON.
func TestLicenseRequest(t *testing.T) {
	var ua, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, path = r.UserAgent(), r.URL.EscapedPath()
		_, _ = w.Write([]byte(`{"licenses":["MIT"]}`))
	}))
	defer srv.Close()
	if _, err := depsdev.New(srv.URL+"/", nil).License(context.Background(), "gomod", "github.com/a/b", "v1.0.0"); err != nil {
		t.Fatal(err)
	}
	if path != "/v3/systems/GO/packages/github.com%2Fa%2Fb/versions/v1.0.0" || ua == "" || ua[:8] != "ospo-bot" {
		t.Fatalf("path %q, User-Agent %q", path, ua)
	}
}
