package rules

import (
	"slices"
	"sync"
)

// maxScans bounds the license scans remembered (emptied when full): an
// org's repositories share a few license texts, and a sweep or a policy
// plan would otherwise scan the same Apache-2.0 text thousands of times
// (most of the plan's time on 10,000 repositories).
const maxScans = 64

// scans remembers scanLicenseText's results by text: the scan is a pure
// function of the text, so remembering changes no result.
var scans = struct {
	sync.Mutex
	m map[string]scanResult
}{m: map[string]scanResult{}}

// scanLicense is scanLicenseText, remembered.
func scanLicense(text string) scanResult {
	key := text
	scans.Lock()
	res, ok := scans.m[key]
	scans.Unlock()
	if !ok {
		res = scanLicenseText(text)
		scans.Lock()
		if len(scans.m) >= maxScans {
			clear(scans.m)
		}
		scans.m[key] = res
		scans.Unlock()
	}
	res.ids, res.urlIDs = slices.Clone(res.ids), slices.Clone(res.urlIDs) // the caller's own
	return res
}
