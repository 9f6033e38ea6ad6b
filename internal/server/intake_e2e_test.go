package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// serveWith runs a real server on SQLite with cfg adjusted by adjust, and
// returns its base URL.
func serveWith(t *testing.T, adjust func(*config.Config)) string {
	t.Helper()
	fake := newFake(t)
	cfg := testConfig(storetest.URL(t, store.SQLite), fake.URL())
	adjust(&cfg)
	app, err := server.Open(context.Background(), cfg, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// TestWebhookBodySlots: with webhook_max_inflight 1, a sender that has sent
// its headers and part of its body holds the one slot, and a delivery that
// comes meanwhile is answered 503 with Retry-After (GitHub records it as
// failed, to be redelivered). Once the body is complete, the next delivery
// is queued.
func TestWebhookBodySlots(t *testing.T) {
	base := serveWith(t, func(c *config.Config) { c.WebhookMaxInFlight = 1 })
	body := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)

	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/github/hook HTTP/1.1\r\nHost: ospo\r\nContent-Type: application/json\r\n"+
		"X-GitHub-Event: ping\r\nX-GitHub-Delivery: slow\r\nX-Hub-Signature-256: %s\r\nContent-Length: %d\r\n\r\n%s",
		signature(body), len(body), body[:10])

	// The slow sender's headers are in; until it is reading, a delivery
	// may still get the slot, so poll until one is refused.
	for i := 0; ; i++ {
		if i == 200 {
			t.Fatal("200 deliveries queued while the one body slot was held")
		}
		code, msg := deliver(t, base, "ping", fmt.Sprintf("meanwhile-%d", i), body, nil)
		if code == http.StatusServiceUnavailable {
			if !strings.Contains(msg, "redeliver") {
				t.Errorf("503 says %q", msg)
			}
			break
		}
		if code != http.StatusOK {
			t.Fatalf("delivery while the slot is held: %d %s", code, msg)
		}
	}

	if _, err := conn.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the slow delivery: %d", resp.StatusCode)
	}
	if code, msg := deliver(t, base, "ping", "after", body, nil); code != http.StatusOK {
		t.Fatalf("after the slot is free: %d %s", code, msg)
	}
}

// TestWebhookHeadersAreBounded: a request whose headers are larger than
// GitHub's could be is refused before any handler runs.
func TestWebhookHeadersAreBounded(t *testing.T) {
	base := serveWith(t, func(*config.Config) {})
	body := []byte(`{}`)
	code, _ := deliver(t, base, "ping", "fat", body, map[string]string{"X-Padding": strings.Repeat("p", 100<<10)})
	if code != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("100 KiB of headers: %d, want 431", code)
	}
}
