package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// The limits on what an unauthenticated request may make the intake hold.
const (
	// DefaultMaxInFlight is how many bodies are read at once by default:
	// 8 × MaxBodyBytes = 200 MiB at most, in reusable buffers, which leaves
	// room under the Helm chart's 512 MiB limit for the process (about
	// 40 MiB) and its jobs.
	DefaultMaxInFlight = 8
	// DefaultSlotWait is how long a delivery waits for a body slot before
	// it is answered 503: a burst queues instead of failing, holding only
	// its headers while it waits.
	DefaultSlotWait = 2 * time.Second
	// BodyTimeout is how long a body may take to arrive once it has a
	// slot. GitHub gives up on a delivery after 10 seconds, so a slower
	// body is not GitHub's, and only holds a slot.
	BodyTimeout = 10 * time.Second
	// MaxDeliveryIDLength bounds X-GitHub-Delivery (GitHub's are 36-character GUIDs).
	MaxDeliveryIDLength = 100
	// retryAfter is the Retry-After of a 503 (seconds).
	retryAfter = "10"
)

// Option adjusts a Handler.
type Option func(*options)

type options struct {
	maxInFlight int
	slotWait    time.Duration
}

// WithMaxInFlight sets how many bodies are read at once (at least 1).
func WithMaxInFlight(n int) Option {
	return func(o *options) { o.maxInFlight = max(n, 1) }
}

// WithSlotWait sets how long a delivery waits for a body slot before 503.
func WithSlotWait(d time.Duration) Option {
	return func(o *options) { o.slotWait = max(d, 0) }
}

// bodies is a fixed set of reusable body buffers: holding one is the right
// to read a body, so at most cap(free) bodies are held at once, in memory
// that an attack reuses instead of adding to.
type bodies struct {
	free chan *[]byte
	wait time.Duration
}

func newBodies(n int, wait time.Duration) *bodies {
	b := &bodies{free: make(chan *[]byte, n), wait: wait}
	for range n {
		b.free <- new([]byte)
	}
	return b
}

// acquire takes a buffer, waiting up to b.wait for one; false when none came.
func (b *bodies) acquire(ctx context.Context) (*[]byte, bool) {
	select {
	case buf := <-b.free:
		return buf, true
	default:
	}
	if b.wait <= 0 {
		return nil, false
	}
	timer := time.NewTimer(b.wait)
	defer timer.Stop()
	select {
	case buf := <-b.free:
		return buf, true
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (b *bodies) release(buf *[]byte) {
	*buf = (*buf)[:0]
	b.free <- buf
}

// screen refuses, from its headers alone, a request that cannot be a
// delivery: the status and message, or 0.
func screen(r *http.Request) (int, string) {
	sig := r.Header.Get("X-Hub-Signature-256")
	switch {
	case sig == "":
		// go-github would fall back to the SHA-1 signature; we require SHA-256.
		return http.StatusBadRequest, "missing X-Hub-Signature-256: set a webhook secret on the GitHub App"
	case !strings.HasPrefix(sig, "sha256="):
		return http.StatusBadRequest, "X-Hub-Signature-256 does not start with sha256="
	case !isHexDigest(sig[len("sha256="):]):
		return http.StatusBadRequest, "X-Hub-Signature-256 is not sha256= followed by 64 hex digits"
	}
	if r.Header.Get("X-GitHub-Event") == "" {
		return http.StatusBadRequest, "missing X-GitHub-Event header"
	}
	switch id := r.Header.Get("X-GitHub-Delivery"); {
	case id == "":
		return http.StatusBadRequest, "missing X-GitHub-Delivery header"
	case len(id) > MaxDeliveryIDLength:
		return http.StatusBadRequest, "X-GitHub-Delivery is longer than 100 characters"
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil ||
		(ct != "application/json" && ct != "application/x-www-form-urlencoded") {
		return http.StatusBadRequest, "unsupported Content-Type: GitHub sends application/json"
	}
	if r.ContentLength > MaxBodyBytes {
		return http.StatusRequestEntityTooLarge, "payload larger than 25 MiB"
	}
	return 0, ""
}

func isHexDigest(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

var errSignature = errors.New("payload signature check failed")

// readVerified reads body into buf, hashing it as it arrives with one HMAC
// per secret, and returns the body if one of the secrets signed it. buf grows to the declared length at once, or, when none is declared,
// by doubling up to the cap; the caller keeps the grown buffer.
func readVerified(buf []byte, body io.Reader, declared int64, signature string, secrets []string) ([]byte, error) {
	macs := make([]hash.Hash, len(secrets))
	for i, s := range secrets {
		macs[i] = hmac.New(sha256.New, []byte(s))
	}
	buf = buf[:0]
	if declared > 0 && int64(cap(buf)) < declared {
		buf = make([]byte, 0, declared)
	}
	for {
		if len(buf) == cap(buf) {
			// Full: a declared body ends here (the next read says so);
			// an undeclared one grows.
			var probe [512]byte
			n, err := body.Read(probe[:])
			if n > 0 {
				grown := make([]byte, len(buf), min(max(2*cap(buf), 32<<10), MaxBodyBytes+len(probe)))
				copy(grown, buf)
				buf = append(grown, probe[:n]...)
				for _, m := range macs {
					m.Write(probe[:n])
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return buf, err
			}
			continue
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		for _, m := range macs {
			m.Write(buf[len(buf) : len(buf)+n])
		}
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	want, _ := hex.DecodeString(signature[len("sha256="):]) // screened
	for _, m := range macs {
		if hmac.Equal(m.Sum(nil), want) {
			return buf, nil
		}
	}
	return buf, errSignature
}
