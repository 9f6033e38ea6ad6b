// Package webhook accepts GitHub's signed deliveries and commits each as a durable job before answering 2xx.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// MaxBodyBytes is the largest delivery accepted; GitHub caps payloads at 25 MB.
const MaxBodyBytes = 25 << 20

// Events are the webhook events ospo-bot subscribes to and records. Any
// other event is acknowledged with 202 and dropped.
var Events = []string{
	"installation", "installation_repositories", "repository", "pull_request",
	"pull_request_review", "issue_comment", "check_run", "check_suite", "merge_group", "push",
	"member", "membership",
	"team", "ping", "github_app_authorization",
}

// Enqueuer commits a delivery and its job durably. It reports false for a
// delivery ID it has already recorded.
type Enqueuer interface {
	Enqueue(ctx context.Context, d store.Delivery) (bool, error)
}

// Handler is POST /api/github/hook.
type Handler struct {
	intake  *intake
	secrets []string // current first
	bodies  *bodies
}

// NewHandler returns the handler for POST /api/github/hook: it screens the
// headers, reads at most N bodies at once into reusable buffers while
// verifying X-Hub-Signature-256 with secret, answers 503 past that, and
// commits every verified delivery of Events.
// A non-empty previous secret is accepted too, so the secret can be rotated
// without refusing a delivery: deploy both, change it on GitHub, then drop
// the previous one.
func NewHandler(secret, previous string, q Enqueuer, m *metrics.Metrics, opts ...Option) *Handler {
	o := options{maxInFlight: DefaultMaxInFlight, slotWait: DefaultSlotWait}
	for _, opt := range opts {
		opt(&o)
	}
	h := &Handler{intake: &intake{queue: q, metrics: m}, bodies: newBodies(o.maxInFlight, o.slotWait)}
	for _, s := range []string{secret, previous} {
		if s != "" {
			h.secrets = append(h.secrets, s)
		}
	}
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "webhook deliveries are POSTed", http.StatusMethodNotAllowed)
		return
	}
	event := r.Header.Get("X-GitHub-Event")
	if status, msg := screen(r); status != 0 {
		h.intake.reject(w, r, event, status, msg)
		return
	}
	buf, ok := h.bodies.acquire(r.Context())
	if !ok {
		h.intake.overloaded(w, r, event, cap(h.bodies.free))
		return
	}
	release := sync.OnceFunc(func() { h.bodies.release(buf) })
	defer release()
	// A body that has not arrived when GitHub would have given up is
	// not GitHub's. (Not every ResponseWriter can set it; the server's
	// ReadTimeout still holds.)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(BodyTimeout))
	body, err := readVerified(*buf, http.MaxBytesReader(w, r.Body, MaxBodyBytes), r.ContentLength,
		r.Header.Get("X-Hub-Signature-256"), h.secrets)
	*buf = body // keep what it grew to
	if err != nil {
		status, msg := http.StatusBadRequest, "invalid webhook: "+err.Error()
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			status, msg = http.StatusRequestEntityTooLarge, "payload larger than 25 MiB"
		case errors.Is(err, os.ErrDeadlineExceeded):
			status, msg = http.StatusRequestTimeout, "body not received in time"
		}
		release() // before answering: a forged body holds nothing
		h.intake.reject(w, r, event, status, msg)
		return
	}
	h.intake.serve(w, r, event, body, release)
}

type intake struct {
	queue   Enqueuer
	metrics *metrics.Metrics
}

var errNotJSON = errors.New("payload is not a JSON object")

// serve commits a verified delivery and answers it: 200 once it is
// committed (or was already), 202 for an event we do not act on, 400 for
// a payload that is not a JSON object, 503 when the commit failed. body is
// in a body slot, which release gives back as soon as the delivery holds
// its own (packed) copy, so deliveries waiting on the group commit hold no
// slot. The signature was checked once, as the body arrived (readVerified).
func (i *intake) serve(w http.ResponseWriter, r *http.Request, event string, body []byte, release func()) {
	deliveryID := r.Header.Get("X-GitHub-Delivery")
	logger := zerolog.Ctx(r.Context()).With().Str(logging.FieldEvent, event).Str(logging.FieldDelivery, deliveryID).Logger()
	if !slices.Contains(Events, event) {
		release()
		i.metrics.Deliveries.WithLabelValues(eventLabel(event), "ignored").Inc()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusAccepted)
		_, _ = fmt.Fprintf(w, "event %q is not one ospo-bot acts on: ignored\n", event)
		return
	}
	start := time.Now()
	d, err := parse(r.Header.Get("Content-Type"), body)
	release()
	if err != nil {
		i.reject(w, r, event, http.StatusBadRequest, "invalid webhook: "+err.Error())
		return
	}
	d.ID, d.Event, d.ReceivedAt = deliveryID, event, start
	logger = logger.With().Int64(logging.FieldInstallation, d.InstallationID).Str(logging.FieldRepository, d.Repository).Logger()

	fresh, err := i.queue.Enqueue(logger.WithContext(r.Context()), d)
	if err != nil {
		i.metrics.Deliveries.WithLabelValues(event, "error").Inc()
		logger.Error().Err(fmt.Errorf("commit delivery %s: %w", deliveryID, err)).
			Msg("delivery not committed; answered 503 so GitHub shows it as failed and it can be redelivered")
		w.Header().Set("Retry-After", "5")
		http.Error(w, "delivery not recorded, please redeliver", http.StatusServiceUnavailable)
		return
	}
	i.metrics.IntakeSeconds.Observe(time.Since(start).Seconds())
	outcome, answer := "queued", "queued\n"
	if !fresh {
		outcome, answer = "duplicate", "duplicate delivery: already recorded, not run again\n"
	}
	i.metrics.Deliveries.WithLabelValues(event, outcome).Inc()
	// One line at info a delivery.
	logger.Info().Str("github_event_action", d.Action).Msg("delivery " + outcome)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(answer))
}

// parse reads a delivery's payload — the body, or a form-encoded body's
// payload field — and the routing facts every payload shares, into a
// delivery that holds its own packed copy of the payload. gjson reads the
// facts without decoding the whole payload, which encoding/json would (a
// third of the intake's CPU); the job decodes it fully later.
func parse(contentType string, body []byte) (store.Delivery, error) {
	payload := body
	if ct, _, _ := mime.ParseMediaType(contentType); ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return store.Delivery{}, fmt.Errorf("form-encoded body: %w", err)
		}
		payload = []byte(form.Get("payload"))
	}
	if !gjson.ValidBytes(payload) || bytes.TrimLeft(payload, " \t\r\n")[0] != '{' {
		return store.Delivery{}, errNotJSON
	}
	facts := gjson.GetManyBytes(payload, "action", "installation.id", "repository.full_name")
	return store.Delivery{
		Payload: store.Pack(payload),
		Action:  facts[0].String(), InstallationID: facts[1].Int(), Repository: facts[2].String(),
	}, nil
}

// overloaded answers a delivery that found no body slot: GitHub records it
// as failed, to be redelivered, and does not retry it by itself.
func (i *intake) overloaded(w http.ResponseWriter, r *http.Request, event string, slots int) {
	i.metrics.Deliveries.WithLabelValues(eventLabel(event), "overloaded").Inc()
	zerolog.Ctx(r.Context()).Warn().Str(logging.FieldEvent, event).
		Str(logging.FieldDelivery, r.Header.Get("X-GitHub-Delivery")).Int("webhook_max_inflight", slots).
		Msg("delivery refused with 503: every body slot is in use (raise webhook_max_inflight with the memory limit); redeliver it from the App's settings")
	w.Header().Set("Retry-After", retryAfter)
	http.Error(w, "too many deliveries in flight, please redeliver", http.StatusServiceUnavailable)
}

func (i *intake) reject(w http.ResponseWriter, r *http.Request, event string, status int, msg string) {
	i.metrics.Deliveries.WithLabelValues(eventLabel(event), "rejected").Inc()
	zerolog.Ctx(r.Context()).Warn().Str(logging.FieldEvent, event).
		Str(logging.FieldDelivery, r.Header.Get("X-GitHub-Delivery")).Int("status", status).Msg(msg)
	http.Error(w, msg, status)
}

// eventLabel bounds the metric label to the events we know: the header of a
// rejected request is the sender's word.
func eventLabel(event string) string {
	for _, e := range Events {
		if e == event {
			return e
		}
	}
	return "other"
}
