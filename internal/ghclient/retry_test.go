package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestRetry(t *testing.T) {
	const path = "/repos/o/r/issues"
	for _, tc := range []struct {
		name       string
		method     string
		maxRetries int
		answers    []int // answered in turn, then 200
		hangUp     int   // the first hangUp requests are cut off without an answer
		wantHits   int
		wantStatus int // 0: want an error without a response
	}{
		{name: "GET 502 twice then 200", method: "GET", answers: []int{502, 502}, wantHits: 3, wantStatus: 200},
		{name: "GET 503 then 504 then 200", method: "GET", answers: []int{503, 504}, wantHits: 3, wantStatus: 200},
		{name: "GET stops at MaxRetries", method: "GET", answers: []int{502, 502, 502, 502, 502, 502}, wantHits: 3, wantStatus: 502},
		{name: "GET with MaxRetries 4", method: "GET", maxRetries: 4, answers: []int{502, 502, 502, 502, 502, 502}, wantHits: 5, wantStatus: 502},
		{name: "retries disabled", method: "GET", maxRetries: -1, answers: []int{502}, wantHits: 1, wantStatus: 502},
		{name: "GET 500 is not retried", method: "GET", answers: []int{500}, wantHits: 1, wantStatus: 500},
		{name: "GET 404 is not retried", method: "GET", answers: []int{404}, wantHits: 1, wantStatus: 404},
		{name: "GET after a dropped connection", method: "GET", hangUp: 1, wantHits: 2, wantStatus: 200},
		{name: "POST 502 is not retried", method: "POST", answers: []int{502}, wantHits: 1, wantStatus: 502},
		{name: "PATCH 503 is not retried", method: "PATCH", answers: []int{503}, wantHits: 1, wantStatus: 503},
		{name: "DELETE 504 is not retried", method: "DELETE", answers: []int{504}, wantHits: 1, wantStatus: 504},
		{name: "POST after a dropped connection is not retried", method: "POST", hangUp: 1, wantHits: 1, wantStatus: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			answers, hangUp := append([]int(nil), tc.answers...), tc.hangUp
			f := newFakeGitHub(t, "", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if hangUp > 0 {
					hangUp--
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				status := http.StatusOK
				if len(answers) > 0 {
					status, answers = answers[0], answers[1:]
				}
				w.WriteHeader(status)
				fmt.Fprintf(w, `{"message":"%s"}`, http.StatusText(status))
			})
			// A fresh connection per request: Go's transport itself
			// retries a request that failed on a reused connection, which
			// would hide whether we do.
			f.srv.Config.SetKeepAlivesEnabled(false)
			cfg := testConfig(f)
			cfg.MaxRetries = tc.maxRetries
			m := newMetrics()
			cc, err := NewClientCreator(cfg, m)
			if err != nil {
				t.Fatal(err)
			}
			client, err := cc.NewInstallationClient(1)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var body any
			if tc.method != "GET" {
				body = map[string]string{"title": "x"}
			}
			req, err := client.NewRequest(tc.method, path[1:], body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(ctx, req, nil)

			if got := f.count(tc.method, path); got != tc.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tc.wantHits)
			}
			switch {
			case tc.wantStatus == 0:
				if err == nil || resp != nil {
					t.Errorf("Do = %v, %v; want a transport error", resp, err)
				}
			case resp == nil:
				t.Errorf("no response, error %v; want status %d", err, tc.wantStatus)
			case resp.StatusCode != tc.wantStatus:
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			// One logical request is counted once, with its final status.
			status := fmt.Sprint(tc.wantStatus)
			if tc.wantStatus == 0 {
				status = "error"
			}
			if got := counterValue(t, m.GitHubRequests, tc.method, "/repos/{owner}/{repo}/issues", status, "miss"); got != 1 {
				t.Errorf("requests{status=%s} = %v, want 1", status, got)
			}
		})
	}
}

func TestRetryTokenRequest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		statuses   []int
		wantTokens int
		wantErr    bool
	}{
		{"502 then token", []int{502}, 2, false},
		{"503 504 then token", []int{503, 504}, 3, false},
		{"three 502: gives up", []int{502, 502, 502}, 3, true},
		{"401 is not retried", []int{401}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGitHub(t, "", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"full_name":"o/r"}`)
			})
			f.failTokens(tc.statuses)
			cc, err := NewClientCreator(testConfig(f), nil)
			if err != nil {
				t.Fatal(err)
			}
			client, err := cc.NewInstallationClient(3)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = client.Repositories.Get(context.Background(), "o", "r")
			if (err != nil) != tc.wantErr {
				t.Errorf("error = %v, want error: %v", err, tc.wantErr)
			}
			if got := f.count("POST", "/app/installations/3/access_tokens"); got != tc.wantTokens {
				t.Errorf("token requests = %d, want %d", got, tc.wantTokens)
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	f := newFakeGitHub(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	cfg := testConfig(f)
	cfg.RetryWait = time.Hour
	cc, err := NewClientCreator(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := cc.NewInstallationClient(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = client.Repositories.Get(ctx, "o", "r")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the backoff ignored the context", d)
	}
	if got := f.count("GET", "/repos/o/r"); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
	if Permanent(err) {
		t.Errorf("Permanent(%v) = true", err)
	}
}

func TestBackoff(t *testing.T) {
	base := 100 * time.Millisecond
	for _, tc := range []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 50 * time.Millisecond, 150 * time.Millisecond},
		{1, 100 * time.Millisecond, 300 * time.Millisecond},
		{3, 400 * time.Millisecond, 1200 * time.Millisecond},
		{30, maxBackoff / 2, maxBackoff * 3 / 2},
	} {
		for i := 0; i < 100; i++ {
			if d := backoff(base, tc.attempt); d < tc.lo || d >= tc.hi {
				t.Fatalf("backoff(%v, %d) = %v, want in [%v, %v)", base, tc.attempt, d, tc.lo, tc.hi)
			}
		}
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		method, url string
		want        bool
	}{
		{"GET", "https://api.github.com/repos/o/r", true},
		{"HEAD", "https://api.github.com/repos/o/r", true},
		{"POST", "https://api.github.com/app/installations/1/access_tokens", true},
		{"POST", "https://ghe.example.com/api/v3/app/installations/1/access_tokens", true},
		{"POST", "https://api.github.com/repos/o/r/issues", false},
		{"POST", "https://api.github.com/repos/o/r/installations/1/access_tokens", false},
		{"PUT", "https://api.github.com/repos/o/r/contents/a", false},
		{"PATCH", "https://api.github.com/repos/o/r", false},
		{"DELETE", "https://api.github.com/repos/o/r/labels/x", false},
	} {
		req, err := http.NewRequest(tc.method, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := retryable(req); got != tc.want {
			t.Errorf("retryable(%s %s) = %v, want %v", tc.method, tc.url, got, tc.want)
		}
	}
}
