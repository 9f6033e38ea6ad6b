package githubfake

import "fmt"

// Private vulnerability reporting
// (https://docs.github.com/rest/repos/repos#check-if-private-vulnerability-reporting-is-enabled-for-a-repository):
// GET answers {"enabled": bool}; an app needs the Metadata: read
// permission (github/docs, server-to-server-permissions.json, "metadata").
// Only a public repository can have it on.

func (f *Fake) getPrivateReporting(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(struct {
		Enabled bool `json:"enabled"`
	}{r.privateReporting && !r.private})
}

// SetPrivateReporting turns private vulnerability reporting on or off for a
// repository, as its admin does in Settings → Code security.
func (f *Fake) SetPrivateReporting(owner, repoName string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	r.privateReporting = on
	return nil
}
