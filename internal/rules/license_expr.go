package rules

import (
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// licenseIDs returns the distinct licenses an SPDX expression of
// license.allowed names (the policy checked its syntax when it was loaded).
func licenseIDs(expr string) ([]string, error) {
	all, err := policy.LicenseIDs(expr)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range all {
		ids = appendNew(ids, id)
	}
	return ids, nil
}

func appendNew(ids []string, id string) []string {
	for _, x := range ids {
		if sameLicense(x, id) {
			return ids
		}
	}
	return append(ids, id)
}

// sameLicense compares SPDX ids case-insensitively; "-only", "-or-later"
// and "+" name the same license text ("GPL-3.0-only" is "GPL-3.0").
func sameLicense(a, b string) bool { return licenseKey(a) == licenseKey(b) }

func licenseKey(id string) string {
	id = strings.ToLower(id)
	for _, suffix := range []string{"-only", "-or-later", "+"} {
		id = strings.TrimSuffix(id, suffix)
	}
	return id
}
