package githubfake

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
)

// TestCheckRunLifecycle: a completed check run never goes back to queued or
// in progress, and annotations accumulate across updates, as on GitHub.
func TestCheckRunLifecycle(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	head, _ := w.f.Branch("acme", "widgets", "main")
	ann := func(path string) []*github.CheckRunAnnotation {
		return []*github.CheckRunAnnotation{{Path: github.String(path), StartLine: github.Int(1), EndLine: github.Int(1),
			AnnotationLevel: github.String("failure"), Message: github.String("missing")}}
	}
	run, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "ospo/policy", HeadSHA: head.SHA,
		Status: github.String("in_progress"), Output: &github.CheckRunOutput{Title: github.String("1"), Summary: github.String("s"), Annotations: ann("a")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{Name: "ospo/policy",
		Conclusion: github.String("failure"), Output: &github.CheckRunOutput{Title: github.String("2"), Summary: github.String("s"), Annotations: ann("b")}}); err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"in_progress", "queued"} {
		_, _, err := gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{Name: "ospo/policy", Status: github.String(status)})
		if !isStatus(err, 422) || !strings.Contains(err.Error(), "completed") {
			t.Errorf("completed → %s: %v, want 422", status, err)
		}
	}
	got := w.f.CheckRuns("acme", "widgets")
	if len(got) != 1 || got[0].Status != "completed" || got[0].Conclusion != "failure" {
		t.Fatalf("check run %+v", got)
	}
	if a := got[0].Output.Annotations; len(a) != 2 || a[0].Path != "a" || a[1].Path != "b" {
		t.Errorf("annotations %+v, want a then b", a)
	}
}

// TestBodyLimits: GitHub refuses issue and comment bodies over 65,536
// characters (not bytes) and check-run output over 65,535 bytes.
func TestBodyLimits(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	head, _ := w.f.Branch("acme", "widgets", "main")
	fits := strings.Repeat("é", 65536) // 131,072 bytes, 65,536 characters
	over := strings.Repeat("x", 65537)
	tooLong := func(what string, err error, msg string) {
		t.Helper()
		if !isStatus(err, 422) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want 422 %q", what, err, msg)
		}
	}
	fine := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	const bodyMsg = "body is too long (maximum is 65536 characters)"

	_, _, err := gh.Issues.Create(ctx, "acme", "widgets", &github.IssueRequest{Title: github.String("t"), Body: &over})
	tooLong("create issue", err, bodyMsg)
	is, _, err := gh.Issues.Create(ctx, "acme", "widgets", &github.IssueRequest{Title: github.String("t"), Body: &fits})
	fine("create issue of 65,536 characters", err)
	_, _, err = gh.Issues.Edit(ctx, "acme", "widgets", is.GetNumber(), &github.IssueRequest{Body: &over})
	tooLong("edit issue", err, bodyMsg)

	_, _, err = gh.Issues.CreateComment(ctx, "acme", "widgets", is.GetNumber(), &github.IssueComment{Body: &over})
	tooLong("create comment", err, bodyMsg)
	cm, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", is.GetNumber(), &github.IssueComment{Body: &fits})
	fine("create comment of 65,536 characters", err)
	_, _, err = gh.Issues.EditComment(ctx, "acme", "widgets", cm.GetID(), &github.IssueComment{Body: &over})
	tooLong("edit comment", err, bodyMsg)

	bytesOver := strings.Repeat("é", 32768) // 32,768 characters, 65,536 bytes
	bytesFit := strings.Repeat("x", 65535)
	for _, field := range []string{"summary", "text"} {
		out := func(s string) *github.CheckRunOutput {
			o := &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s")}
			if field == "summary" {
				o.Summary = &s
			} else {
				o.Text = &s
			}
			return o
		}
		_, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: head.SHA, Output: out(bytesOver)})
		tooLong("check run "+field+" of 65,536 bytes", err, field+" exceeds a maximum bytesize of 65535")
		run, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: head.SHA, Output: out(bytesFit)})
		fine("check run "+field+" of 65,535 bytes", err)
		_, _, err = gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{Name: "x", Output: out(bytesOver)})
		tooLong("update check run "+field, err, field+" exceeds a maximum bytesize of 65535")
	}
}

// TestWebURL: a fake standing for GitHub Enterprise Server puts its own
// host, not github.com, in html_url.
func TestWebURL(t *testing.T) {
	w := newWorld(t, Options{WebURL: "https://ghe.acme.example/"})
	ctx := context.Background()
	gh := w.client(t)
	repo, _, err := gh.Repositories.Get(ctx, "acme", "widgets")
	if err != nil || repo.GetHTMLURL() != "https://ghe.acme.example/acme/widgets" {
		t.Fatalf("repository html_url %q (%v)", repo.GetHTMLURL(), err)
	}
	cm, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("hi")})
	if err != nil || !strings.HasPrefix(cm.GetHTMLURL(), "https://ghe.acme.example/acme/widgets/issues/") {
		t.Fatalf("comment html_url %q (%v)", cm.GetHTMLURL(), err)
	}
	if c := w.f.Comments("acme", "widgets", w.issue.Number); len(c) != 1 || !strings.HasPrefix(c[0].HTMLURL, "https://ghe.acme.example/") {
		t.Fatalf("stored comment %+v", c)
	}
}
