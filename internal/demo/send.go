package demo

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// Events are what `ospo-bot demo send` can ask a running demo to play.
var Events = map[string]string{
	"repository.created":   "a new public repository without a LICENSE",
	"pull_request.opened":  "a pull request from a new contributor who has not signed the CLA",
	"pull_request.license": "a pull request that changes the LICENSE, which needs an OSPO approval",
}

// EventNames lists Events' keys, sorted.
func EventNames() []string { return slices.Sorted(maps.Keys(Events)) }

// control serves POST /send?event=NAME for `ospo-bot demo send`.
type control struct {
	d  *demo
	mu sync.Mutex // one event at a time
	n  int
}

func (d *demo) serveControl(ctx context.Context) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	c := &control{d: d}
	srv := &http.Server{Handler: c}
	go srv.Serve(ln)
	u := "http://" + ln.Addr().String()
	// `ospo-bot demo send` without --to finds the newest running demo here.
	if err := os.WriteFile(ControlFile(), []byte(u+"\n"), 0o600); err != nil {
		d.printf("(could not write %s: %v; pass --to %s to `demo send`)\n", ControlFile(), err, u)
	}
	go func() {
		<-ctx.Done()
		srv.Close()
		if b, err := os.ReadFile(ControlFile()); err == nil && strings.TrimSpace(string(b)) == u {
			os.Remove(ControlFile())
		}
	}()
	return u, nil
}

// ControlFile is where a running demo leaves its control URL.
func ControlFile() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("ospo-bot-demo-%d.url", os.Getuid()))
}

// ControlURL is the newest running demo's control URL.
func ControlURL() (string, error) {
	b, err := os.ReadFile(ControlFile())
	if err != nil {
		return "", fmt.Errorf("no running demo found (%s is missing): start `ospo-bot demo` in another terminal, or pass --to URL", ControlFile())
	}
	return strings.TrimSpace(string(b)), nil
}

func (c *control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/send" {
		http.Error(w, "POST /send?event=NAME", http.StatusNotFound)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	event := r.URL.Query().Get("event")
	shows, err := c.d.send(r.Context(), event, c.n)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	c.d.printf("%s (sent by `ospo-bot demo send`)\n", event)
	for _, s := range shows {
		c.d.printf("   → %s\n", s)
	}
	io.WriteString(w, strings.Join(shows, "\n")+"\n")
}

// send plays one event against the fake GitHub and says what it shows.
func (d *demo) send(ctx context.Context, event string, n int) ([]string, error) {
	switch event {
	case "repository.created":
		name := fmt.Sprintf("project-%d", n)
		if _, err := d.gh.AddRepo(githubfake.Repo{Owner: "acme", Name: name, Files: map[string]string{"README.md": "# " + name}}); err != nil {
			return nil, err
		}
		r, _, err := d.admin.Repositories.Get(ctx, "acme", name)
		if err != nil {
			return nil, err
		}
		if err := d.deliver(ctx, "repository", &github.RepositoryEvent{Action: github.String("created"), Repo: r,
			Installation: &github.Installation{ID: github.Int64(d.inst)}}); err != nil {
			return nil, err
		}
		is, err := d.waitIssue(ctx, func(is githubfake.Issue) bool { return is.Title == "OSPO review: acme/"+name })
		if err != nil {
			return nil, fmt.Errorf("no review issue for acme/%s: %w", name, err)
		}
		return append([]string{fmt.Sprintf("review issue %s/repos/acme/ospo/issues/%d %q", d.gh.URL(), is.Number, is.Title)}, lines(is.Body, "- [")...), nil
	case "pull_request.opened", "pull_request.license":
		login := fmt.Sprintf("contributor-%d", n)
		if _, err := d.gh.AddUser(githubfake.User{Login: login, Emails: []string{login + "@example.org"}}); err != nil {
			return nil, err
		}
		files := map[string]string{fmt.Sprintf("change-%d.txt", n): "hello"}
		if event == "pull_request.license" {
			files = map[string]string{"LICENSE": "MIT License\n"}
		}
		branch := fmt.Sprintf("change-%d", n)
		if _, err := d.gh.CreateBranch("acme", "widget", branch, "main"); err != nil {
			return nil, err
		}
		if _, err := d.gh.Push("acme", "widget", branch, githubfake.NewCommit{Message: "A change",
			Author: githubfake.Signature{Name: login, Email: login + "@example.org", Login: login}, Files: files}); err != nil {
			return nil, err
		}
		p, err := d.gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "A change", User: login, Head: branch})
		if err != nil {
			return nil, err
		}
		if err := d.prEvent(ctx, p.Number, "opened"); err != nil {
			return nil, err
		}
		cr, ok := d.checkRun(p.Number)
		if !ok {
			return nil, fmt.Errorf("no check run on acme/widget#%d", p.Number)
		}
		shows := []string{fmt.Sprintf("pull request %s/repos/acme/widget/pulls/%d by @%s", d.gh.URL(), p.Number, login),
			fmt.Sprintf("check run %s: %s — %s", cr.Name, cr.Conclusion, cr.Output.Title)}
		if bot := d.botComments(p.Number); len(bot) > 0 {
			shows = append(shows, fmt.Sprintf("one comment asks @%s to sign the CLA (comment: %q)", login, phrase))
		}
		return shows, nil
	}
	return nil, fmt.Errorf("unknown event %q: send one of %s", event, strings.Join(EventNames(), ", "))
}
