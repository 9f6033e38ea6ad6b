package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// A package version's licences are kept by system, name and version until
// they expire, replaced when asked again, and a "not found" is kept too.
func TestPackageLicenses(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0).UTC()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			if _, ok, err := s.PackageLicense(ctx, "NPM", "left-pad", "1.3.0", t0); err != nil || ok {
				t.Fatalf("nothing kept yet: %v, %v", ok, err)
			}
			put := func(p store.PackageLicense) {
				t.Helper()
				if err := s.PutPackageLicense(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			put(store.PackageLicense{System: "NPM", Name: "left-pad", Version: "1.3.0", Found: true,
				Licenses: []string{"WTFPL", "MIT OR Apache-2.0"}, FetchedAt: t0, ExpiresAt: t0.Add(time.Hour)})
			put(store.PackageLicense{System: "NPM", Name: "@scope/gone", Version: "0.0.1", Found: false,
				FetchedAt: t0, ExpiresAt: t0.Add(time.Minute)})
			put(store.PackageLicense{System: "GO", Name: "left-pad", Version: "1.3.0", Found: true, FetchedAt: t0, ExpiresAt: t0.Add(time.Hour)})

			got, ok, err := s.PackageLicense(ctx, "NPM", "left-pad", "1.3.0", t0)
			if err != nil || !ok || !got.Found || !slices.Equal(got.Licenses, []string{"WTFPL", "MIT OR Apache-2.0"}) ||
				!got.FetchedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
				t.Fatalf("PackageLicense = %+v, %v, %v", got, ok, err)
			}
			if got, ok, _ := s.PackageLicense(ctx, "GO", "left-pad", "1.3.0", t0); !ok || !got.Found || got.Licenses != nil {
				t.Fatalf("known version without licence = %+v, %v", got, ok)
			}
			if got, ok, _ := s.PackageLicense(ctx, "NPM", "@scope/gone", "0.0.1", t0); !ok || got.Found {
				t.Fatalf("not found = %+v, %v", got, ok)
			}
			if _, ok, _ := s.PackageLicense(ctx, "NPM", "@scope/gone", "0.0.1", t0.Add(time.Minute)); ok {
				t.Fatal("an expired answer was given")
			}
			if _, ok, _ := s.PackageLicense(ctx, "NPM", "left-pad", "1.3.1", t0); ok {
				t.Fatal("another version's answer was given")
			}
			put(store.PackageLicense{System: "NPM", Name: "left-pad", Version: "1.3.0", Found: true,
				Licenses: []string{"MIT"}, FetchedAt: t0.Add(2 * time.Hour), ExpiresAt: t0.Add(3 * time.Hour)})
			if got, _, _ := s.PackageLicense(ctx, "NPM", "left-pad", "1.3.0", t0.Add(2*time.Hour)); !slices.Equal(got.Licenses, []string{"MIT"}) {
				t.Fatalf("not replaced: %+v", got)
			}
			if err := s.PutPackageLicense(ctx, store.PackageLicense{System: "NPM", Name: "x", Version: "1", Found: true,
				Licenses: []string{"MIT\nGPL-3.0"}}); err == nil {
				t.Fatal("a licence with a newline was kept")
			}
			if n, err := s.DeleteExpiredPackageLicenses(ctx, t0.Add(90*time.Minute)); err != nil || n != 2 {
				t.Fatalf("DeleteExpiredPackageLicenses = %d, %v", n, err)
			}
		})
	}
}
