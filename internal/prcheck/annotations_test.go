package prcheck

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// A finding about more places than one request may annotate gets them
// all, 50 a request; a retry after a lost response appends only what is
// missing, so every place is annotated exactly once.
func TestMoreThanFiftyAnnotations(t *testing.T) {
	ctx := context.Background()
	var places []rules.Annotation
	for i := range 120 {
		places = append(places, rules.Annotation{File: fmt.Sprintf("src/f%03d.go", i), Message: "add the header"})
	}
	fs := []rules.Finding{{Rule: rules.RuleSPDXHeaders, Mode: policy.Enforce, Result: rules.Fail, Message: "120 files lack a header", Annotations: places}}
	for _, tc := range []struct {
		name string
		lose string // the method whose first response is lost
	}{{"created completed", ""}, {"lost second batch", http.MethodPatch}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newPRFake(t)
			rep := &Reporter{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(w.app.Clients)}
			pr := PR{Owner: "acme", Name: "widget", Number: w.number, HeadSHA: w.head, HTMLURL: "https://github.com/acme/widget/pull/1", Evaluation: "ospo-bot-job-9"}
			client := w.app.Installation(t, w.inst.ID)
			if tc.lose != "" {
				var l *loseResponse
				client, l = losing(t, client, tc.lose, "")
				defer func() {
					if l.lost.Load() != 1 {
						t.Errorf("lost %d responses: the test does not test what it says", l.lost.Load())
					}
				}()
			}
			run, err := rep.Prepare(ctx, client, pr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rep.Complete(ctx, client, pr, run, fs); err != nil {
				if tc.lose == "" {
					t.Fatal(err)
				}
				// The job's retry: a new attempt of the same evaluation.
				run, err := rep.Prepare(ctx, client, pr)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := rep.Complete(ctx, client, pr, run, fs); err != nil {
					t.Fatal(err)
				}
			}
			runs := w.f.CheckRuns("acme", "widget")
			if len(runs) != 1 {
				t.Fatalf("%d runs", len(runs))
			}
			got := runs[0].Output.Annotations
			seen := map[string]int{}
			for _, a := range got {
				seen[a.Path]++
			}
			if len(got) != 120 || len(seen) != 120 {
				t.Errorf("%d annotations of %d files, want 120 of 120", len(got), len(seen))
			}
		})
	}
}
