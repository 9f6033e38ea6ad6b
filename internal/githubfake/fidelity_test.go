package githubfake

import (
	"net/http"
	"testing"
)

// GitHub's table lists "List repository activities" under Repository
// permissions for "Contents" (read), not Metadata:
// https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-contents
func TestActivityNeedsContentsRead(t *testing.T) {
	w := newWorld(t, Options{})
	if err := w.f.SetInstallationPermissions(w.inst.ID, map[string]string{"metadata": "read", "pull_requests": "read"}); err != nil {
		t.Fatal(err)
	}
	tok, err := w.f.InstallationToken(w.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.token = tok
	resp, body := w.do(t, "GET", "/repos/acme/widgets/activity?ref=main", "")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Accepted-GitHub-Permissions") != "contents=read" {
		t.Errorf("activity without contents read: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	w.grant(t, "contents", "read")
	if resp, body := w.do(t, "GET", "/repos/acme/widgets/activity?ref=main", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("activity with contents read: %d %s", resp.StatusCode, body)
	}
}
