package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
)

func TestNewRejectsUnknownLevel(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, "verbose"); err == nil {
		t.Fatal("level verbose accepted")
	}
	if _, err := New(&bytes.Buffer{}, " WARN "); err != nil {
		t.Fatalf("level WARN: %v", err)
	}
}

func TestSlogBridge(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, "info")
	if err != nil {
		t.Fatal(err)
	}
	s := Slog(l).With("client", "river").WithGroup("job")
	s.Debug("hidden")
	s.Error("job failed", "id", 42, "err", errors.New("boom"), slog.Group("args", "kind", "delivery"))
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("want 1 line (debug filtered), got %d: %s", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(lines[0], &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "error", "message": "job failed", "client": "river", "job.id": float64(42), "job.err": "boom", "job.args.kind": "delivery"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, lines[0])
		}
	}
}
