package githubfake

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
)

// A lost response is a write GitHub committed whose answer never reached
// the client: the comment exists, the client got a transport error.
func TestLostResponse(t *testing.T) {
	w := newWorld(t, Options{})
	gh := w.client(t)
	ctx := context.Background()
	before := len(w.f.Comments("acme", "widgets", w.issue.Number))
	w.f.InjectFault(Fault{Method: "POST", Route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Kind: LostResponse()})
	c, resp, err := gh.Issues.CreateComment(ctx, "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("hello")})
	if err == nil || resp != nil || c != nil {
		t.Fatalf("got %v %v %v, want a transport error and no response", c, resp, err)
	}
	cs := w.f.Comments("acme", "widgets", w.issue.Number)
	if len(cs) != before+1 || cs[len(cs)-1].Body != "hello" {
		t.Fatalf("comments %+v: the write was not applied", cs)
	}
	if r := lastRequest(w.f); r.Fault != "lost response" || r.Status != http.StatusCreated {
		t.Errorf("recorded %+v, want the 201 that was lost", r)
	}
	// Used up: the next one is answered.
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("again")}); err != nil {
		t.Fatal(err)
	}
}

func TestRandomFaults(t *testing.T) {
	// faultsOf plays the same requests against a fresh fake with the plan
	// and returns, per request, the fault it got.
	faultsOf := func(t *testing.T, seed int64, reverse bool) map[string]string {
		w := newWorld(t, Options{})
		p := RandomFaults(seed, 0.3, Status(502), SecondaryRateLimit(time.Second), LostResponse())
		w.f.SetFaultPlan(p)
		var paths []string
		for i := range 40 {
			paths = append(paths, fmt.Sprintf("/repos/acme/widgets/labels/l%d", i%8))
		}
		if reverse { // another order of requests to different paths
			for i, j := 0, len(paths)-1; i < j; i, j = i+1, j-1 {
				paths[i], paths[j] = paths[j], paths[i]
			}
		}
		for _, p := range paths {
			req, _ := http.NewRequest("GET", w.f.URL()+p, nil)
			req.Header.Set("Authorization", "token "+w.token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		got := map[string]string{}
		seen := map[string]int{}
		for _, r := range w.f.Requests() {
			key := fmt.Sprintf("%s#%d", r.Path, seen[r.Path])
			seen[r.Path]++
			got[key] = r.Fault
		}
		return got
	}
	a := faultsOf(t, 7, false)
	kinds := map[string]int{}
	for _, f := range a {
		kinds[f]++
	}
	if kinds["status 502"] == 0 || kinds["secondary rate limit"] == 0 || kinds["lost response"] == 0 || kinds[""] < len(a)/2 {
		t.Errorf("seed 7 gave %v over %d requests: want every kind and mostly none at rate 0.3", kinds, len(a))
	}
	if b := faultsOf(t, 7, true); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the same seed faulted the n-th request of a path differently when paths interleaved otherwise:\n%v\n%v", a, b)
	}
	if c := faultsOf(t, 8, false); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("seeds 7 and 8 gave the same faults")
	}

	t.Run("at most MaxRun in a row", func(t *testing.T) {
		w := newWorld(t, Options{})
		p := RandomFaults(1, 1, Status(500))
		p.MaxRun = 2
		w.f.SetFaultPlan(p)
		var codes []int
		for range 6 {
			resp, _ := w.do(t, "GET", "/repos/acme/widgets/labels", "")
			codes = append(codes, resp.StatusCode)
		}
		if want := []int{500, 500, 200, 500, 500, 200}; !equalInts(codes, want) {
			t.Errorf("statuses %v, want %v", codes, want)
		}
	})
	t.Run("writes only, armed faults first", func(t *testing.T) {
		w := newWorld(t, Options{})
		p := RandomFaults(1, 1, Status(500))
		p.ReadRate = 0
		w.f.SetFaultPlan(p)
		if resp, _ := w.do(t, "GET", "/repos/acme/widgets/labels", ""); resp.StatusCode != 200 {
			t.Errorf("GET: %d, want reads untouched", resp.StatusCode)
		}
		w.f.InjectFault(Fault{Method: "POST", Kind: Status(503)})
		for _, want := range []int{503, 500} {
			if resp, _ := w.do(t, "POST", "/repos/acme/widgets/labels", `{"name":"x"}`); resp.StatusCode != want {
				t.Errorf("POST: %d, want %d", resp.StatusCode, want)
			}
		}
		w.f.SetFaultPlan(nil)
		if resp, body := w.do(t, "POST", "/repos/acme/widgets/labels", `{"name":"x"}`); resp.StatusCode != 201 {
			t.Errorf("POST without a plan: %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
		}
	})
}
