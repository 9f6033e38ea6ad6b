package githubfake

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestConcurrentRequestsLimit: past its limit of requests in flight, an
// installation's next request is a secondary rate limit (403, Retry-After);
// once one finishes, the next is served again.
func TestConcurrentRequestsLimit(t *testing.T) {
	w := newWorld(t, Options{ConcurrentRequests: 2})
	ctx, cancel := context.WithCancel(context.Background())
	// Cancelled before the server closes: it waits for the held requests.
	t.Cleanup(cancel)
	w.f.InjectFault(Fault{Route: "/repos/acme/widgets/issues", Times: 2, Kind: Delay(time.Hour)}) // held until cancel
	held := make(chan error, 2)
	for range 2 {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.f.URL()+"/repos/acme/widgets/issues", nil)
			req.Header.Set("Authorization", "token "+w.token)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			held <- err
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) { // until both are in flight
		if peak, _ := w.f.PeakConcurrency(w.inst.ID); peak == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the two held requests never were in flight together")
		}
	}
	resp, body := w.do(t, http.MethodGet, "/repos/acme/widgets", "")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "secondary rate limit") {
		t.Errorf("a third request in flight: %d %s (Retry-After %q), want a secondary rate limit", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	if r := lastRequest(w.f); r.Fault != ConcurrencyRefusal {
		t.Errorf("recorded fault %q, want %q", r.Fault, ConcurrencyRefusal)
	}
	cancel()
	<-held
	<-held
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) { // the held ones end
		resp, _ := w.do(t, http.MethodGet, "/repos/acme/widgets", "")
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the held requests ended: %d, want 200", resp.StatusCode)
		}
	}
	if peak, refused := w.f.PeakConcurrency(w.inst.ID); peak != 2 || refused < 1 {
		t.Errorf("PeakConcurrency = %d, %d; want 2 and at least 1", peak, refused)
	}
}
