package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const secret = "test-webhook-secret"

// Sign returns the X-Hub-Signature-256 value GitHub would send.
func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// memQueue records what would have been committed.
type memQueue struct {
	mu   sync.Mutex
	seen map[string]store.Delivery
	err  error
}

func (q *memQueue) Enqueue(_ context.Context, d store.Delivery) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return false, q.err
	}
	if _, dup := q.seen[d.ID]; dup {
		return false, nil
	}
	q.seen[d.ID] = d
	return true, nil
}

func example(t testing.TB, event, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "webhooks", event, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func request(event, delivery string, body []byte, mutate func(*http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/github/hook", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", delivery)
	r.Header.Set("X-Hub-Signature-256", sign(body))
	if mutate != nil {
		mutate(r)
	}
	return r
}

func TestHandler(t *testing.T) {
	opened := example(t, "pull_request", "opened.json")
	for _, tc := range []struct {
		name       string
		event      string
		body       []byte
		mutate     func(*http.Request)
		queueErr   error
		wantStatus int
		wantBody   string
		wantQueued bool
	}{
		{name: "signed delivery", event: "pull_request", body: opened, wantStatus: 200, wantBody: "queued", wantQueued: true},
		{name: "unsigned", event: "pull_request", body: opened, mutate: func(r *http.Request) { r.Header.Del("X-Hub-Signature-256") },
			wantStatus: 400, wantBody: "missing X-Hub-Signature-256"},
		{name: "forged", event: "pull_request", body: opened, mutate: func(r *http.Request) {
			r.Header.Set("X-Hub-Signature-256", sign([]byte("something else")))
		}, wantStatus: 400, wantBody: "signature check failed"},
		{name: "sha1 only", event: "pull_request", body: opened, mutate: func(r *http.Request) {
			mac := hmac.New(sha1.New, []byte(secret))
			mac.Write(opened)
			r.Header.Del("X-Hub-Signature-256")
			r.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(mac.Sum(nil)))
		}, wantStatus: 400, wantBody: "missing X-Hub-Signature-256"},
		{name: "body changed after signing", event: "pull_request", body: opened, mutate: func(r *http.Request) {
			r.Body = http.NoBody
			r.ContentLength = 0
		}, wantStatus: 400},
		{name: "no delivery id", event: "pull_request", body: opened, mutate: func(r *http.Request) { r.Header.Del("X-GitHub-Delivery") },
			wantStatus: 400, wantBody: "X-GitHub-Delivery"},
		{name: "not json", event: "pull_request", body: []byte("hello"), wantStatus: 400, wantBody: "not a JSON object"},
		{name: "event we do not act on", event: "star", body: []byte(`{"action":"created"}`), wantStatus: 202, wantBody: "ignored"},
		{name: "get", event: "pull_request", body: opened, mutate: func(r *http.Request) { r.Method = http.MethodGet }, wantStatus: 405},
		{name: "database down", event: "pull_request", body: opened, queueErr: errors.New("disk full"), wantStatus: 503, wantBody: "redeliver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &memQueue{seen: map[string]store.Delivery{}, err: tc.queueErr}
			h := NewHandler(secret, "", q, metrics.New())
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, request(tc.event, "d-"+tc.name, tc.body, tc.mutate))
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), tc.wantStatus, tc.wantBody)
			}
			if got := len(q.seen) == 1; got != tc.wantQueued {
				t.Fatalf("queued = %v, want %v", got, tc.wantQueued)
			}
		})
	}
}

func TestHandlerRecordsRoutingFactsAndDuplicates(t *testing.T) {
	q := &memQueue{seen: map[string]store.Delivery{}}
	m := metrics.New()
	h := NewHandler(secret, "", q, m)
	body := example(t, "pull_request", "opened.json")
	for i, want := range []string{"queued", "duplicate"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("pull_request", "same-id", body, nil))
		if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), want) {
			t.Fatalf("delivery %d: %d %q, want 200 %s", i, rec.Code, rec.Body.String(), want)
		}
	}
	d := q.seen["same-id"]
	if d.Event != "pull_request" || d.Action != "opened" || d.Repository != "Codertocat/Hello-World" || d.ReceivedAt.IsZero() {
		t.Fatalf("recorded delivery = %+v", d)
	}
	if got := testutil.ToFloat64(m.Deliveries.WithLabelValues("pull_request", "duplicate")); got != 1 {
		t.Fatalf("duplicate metric = %v", got)
	}
}

func TestHandlerRejectsOversizedBodies(t *testing.T) {
	q := &memQueue{seen: map[string]store.Delivery{}}
	h := NewHandler(secret, "", q, metrics.New())
	big := bytes.Repeat([]byte(" "), MaxBodyBytes+1)
	for _, declared := range []bool{true, false} {
		r := request("push", "big", big, nil)
		if !declared {
			r.ContentLength = -1 // chunked: the limit must hold while reading
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusRequestEntityTooLarge || len(q.seen) != 0 {
			t.Fatalf("declared length %v: got %d, queued %d", declared, rec.Code, len(q.seen))
		}
	}
}

func TestUnknownEventLabelIsBounded(t *testing.T) {
	m := metrics.New()
	h := NewHandler(secret, "", &memQueue{seen: map[string]store.Delivery{}}, m)
	h.ServeHTTP(httptest.NewRecorder(), request("x-"+strings.Repeat("a", 50), "d", []byte(`{}`), nil))
	if got := testutil.ToFloat64(m.Deliveries.WithLabelValues("other", "ignored")); got != 1 {
		t.Fatalf("ignored{event=other} = %v", got)
	}
}

func TestSecretRotation(t *testing.T) {
	body := example(t, "pull_request", "opened.json")
	signWith := func(s string) string {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write(body)
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	q := &memQueue{seen: map[string]store.Delivery{}}
	h := NewHandler("new-secret", secret, q, metrics.New())
	for i, tc := range []struct {
		signer string
		want   int
	}{{"new-secret", 200}, {secret, 200}, {"someone-else", 400}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("pull_request", fmt.Sprintf("rot-%d", i), body, func(r *http.Request) {
			r.Header.Set("X-Hub-Signature-256", signWith(tc.signer))
		}))
		if rec.Code != tc.want {
			t.Errorf("signed with %s: %d %s, want %d", tc.signer, rec.Code, rec.Body.String(), tc.want)
		}
	}
	if len(q.seen) != 2 {
		t.Fatalf("%d deliveries queued, want 2", len(q.seen))
	}
}

// TestFormEncodedDelivery: a webhook set to application/x-www-form-urlencoded
// sends the JSON as the form's payload field, signed as sent (the form).
func TestFormEncodedDelivery(t *testing.T) {
	opened := example(t, "pull_request", "opened.json")
	for _, tc := range []struct {
		name       string
		form       url.Values
		wantStatus int
	}{
		{"payload field", url.Values{"payload": {string(opened)}}, 200},
		{"no payload field", url.Values{"other": {string(opened)}}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &memQueue{seen: map[string]store.Delivery{}}
			h := NewHandler(secret, "", q, metrics.New())
			body := []byte(tc.form.Encode())
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, request("pull_request", "form", body, func(r *http.Request) {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}))
			if rec.Code != tc.wantStatus {
				t.Fatalf("got %d %q, want %d", rec.Code, rec.Body.String(), tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				if len(q.seen) != 0 {
					t.Fatal("a refused delivery was queued")
				}
				return
			}
			got, err := q.seen["form"].Payload.Unpack()
			if err != nil || !bytes.Equal(got, opened) || q.seen["form"].Action != "opened" {
				t.Fatalf("recorded %+v with payload of %d bytes (%v), want GitHub's JSON", q.seen["form"], len(got), err)
			}
		})
	}
}
