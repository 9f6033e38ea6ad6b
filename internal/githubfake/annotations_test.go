package githubfake

import (
	"context"
	"testing"

	"github.com/google/go-github/v66/github"
)

// GitHub takes at most 50 annotations a request, and columns only on one line.
func TestCheckRunAnnotationsAreRefusedAsGitHubRefusesThem(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	head, _ := w.f.Branch("acme", "widgets", "main")
	out := func(as ...*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: as}
	}
	at := func(start, end, col int) *github.CheckRunAnnotation {
		a := &github.CheckRunAnnotation{Path: github.String("ospo.yml"), StartLine: github.Int(start), EndLine: github.Int(end),
			AnnotationLevel: github.String("failure"), Message: github.String("m")}
		if col > 0 {
			a.StartColumn, a.EndColumn = github.Int(col), github.Int(col)
		}
		return a
	}
	run, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: head.SHA, Output: out(at(2, 2, 7))})
	if err != nil {
		t.Fatalf("a column on one line: %v", err)
	}
	if got := w.f.CheckRuns("acme", "widgets"); len(got) != 1 || got[0].Output.Annotations[0].StartColumn != 7 {
		t.Fatalf("stored: %+v", got)
	}
	if _, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: head.SHA, Output: out(at(2, 3, 7))}); !isStatus(err, 422) {
		t.Fatalf("columns over two lines: %v, want 422", err)
	}
	many := make([]*github.CheckRunAnnotation, 51)
	for i := range many {
		many[i] = at(1, 1, 0)
	}
	if _, _, err := gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{Name: "x", Output: out(many...)}); !isStatus(err, 422) {
		t.Fatalf("51 annotations: %v, want 422", err)
	}
	if _, _, err := gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{Name: "x", Output: out(many[:50]...)}); err != nil {
		t.Fatalf("50 more annotations: %v", err)
	}
	if got := w.f.CheckRuns("acme", "widgets"); len(got[0].Output.Annotations) != 51 {
		t.Fatalf("annotations are appended on update: %d, want 51", len(got[0].Output.Annotations))
	}
}
