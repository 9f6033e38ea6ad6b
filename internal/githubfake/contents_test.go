package githubfake

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestContentsMediaTypesAndLimits: GET /contents answers as GitHub does
// for the raw and object media types and for files past 1 MB; a binary
// file's change has no patch.
func TestContentsMediaTypesAndLimits(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	big := strings.Repeat("x", 1<<20+1)
	pushed, err := w.f.Push("acme", "widgets", "main", NewCommit{Message: "Add", Files: map[string]string{"big.txt": big, "logo.png": "\x89PNG\x00\x01"}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(p, accept string) (*http.Response, string) {
		req, err := gh.NewRequest("GET", "repos/acme/widgets/contents/"+p+"?ref=main", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		resp, err := gh.BareDo(ctx, req)
		if resp == nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.Response, string(body)
	}
	if resp, body := get("README.md", "application/vnd.github.raw"); resp.StatusCode != 200 || body != "# Widgets\n" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.github.raw") {
		t.Errorf("raw: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, body := get("big.txt", "application/vnd.github.raw+json"); resp.StatusCode != 200 || len(body) != len(big) {
		t.Errorf("raw past 1 MB: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, body := get("big.txt", "application/vnd.github+json"); resp.StatusCode != 403 || !strings.Contains(body, "too_large") {
		t.Errorf("JSON past 1 MB: %d %s", resp.StatusCode, body)
	}
	if resp, body := get("big.txt", "application/vnd.github.object+json"); resp.StatusCode != 200 || !strings.Contains(body, `"encoding":"none"`) || !strings.Contains(body, `"content":""`) {
		t.Errorf("object past 1 MB: %d %.300s", resp.StatusCode, body)
	}
	cm, _, err := gh.Repositories.GetCommit(ctx, "acme", "widgets", pushed[0].SHA, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cm.Files {
		if f.GetFilename() == "logo.png" && (f.Patch != nil || f.GetAdditions() != 0) {
			t.Errorf("a binary file's change has a patch: %+v", f)
		}
		if f.GetFilename() == "big.txt" && f.GetPatch() == "" {
			t.Errorf("a text file's change has no patch")
		}
	}
}
