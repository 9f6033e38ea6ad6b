package githubfake

import "strings"

// SetWebURL changes the web root in html_url fields from now on (see
// Options.WebURL), for a test that stands for GitHub Enterprise Server.
func (f *Fake) SetWebURL(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.WebURL = strings.TrimSuffix(u, "/")
}
