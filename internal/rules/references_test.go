package rules

import (
	"testing"

	"github.com/google/licensecheck"
)

// TestReferences checks that each embedded reference text is what its file
// name says: licensecheck identifies it as that id, and it is its own
// closest license.
func TestReferences(t *testing.T) {
	refs, byID := references()
	if len(refs) < 20 {
		t.Fatalf("only %d reference texts", len(refs))
	}
	for _, id := range []string{"MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0", "gpl-3.0-or-later", "ISC"} {
		if _, ok := byID[licenseKey(id)]; !ok {
			t.Errorf("no reference text for %s", id)
		}
	}
	for _, r := range refs {
		text, err := licenseTexts.ReadFile("licenses/" + r.id + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		c := licensecheck.Scan(text)
		if len(c.Match) == 0 || c.Match[0].ID != r.id || c.Percent < 98 {
			t.Errorf("%s: licensecheck finds %+v", r.id, c)
		}
		if like, ok := closestLicense(r.words, lookalikeFloor); !ok || like.id != r.id || like.similarity != 100 {
			t.Errorf("%s: closest license is %+v", r.id, like)
		}
	}
}
