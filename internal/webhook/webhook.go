// Package webhook accepts GitHub's signed deliveries and commits each as a durable job before answering 2xx.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
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
	"team", "ping",
}

// Enqueuer commits a delivery and its job durably. It reports false for a
// delivery ID it has already recorded.
type Enqueuer interface {
	Enqueue(ctx context.Context, d store.Delivery) (bool, error)
}

// NewHandler returns the handler for POST /api/github/hook: it rejects
// oversized and unsigned bodies, verifies X-Hub-Signature-256 with secret
// (through go-githubapp's dispatcher) and commits every delivery of Events.
// A non-empty previous secret is accepted too, so the secret can be rotated
// without refusing a delivery: deploy both, change it on GitHub, then drop
// the previous one.
func NewHandler(secret, previous string, q Enqueuer, m *metrics.Metrics) http.Handler {
	intake := &intake{queue: q, metrics: m}
	dispatcherFor := func(secret string) http.Handler {
		return githubapp.NewEventDispatcher([]githubapp.EventHandler{intake}, secret,
			githubapp.WithErrorCallback(intake.onError),
			githubapp.WithResponseCallback(intake.onResponse),
		)
	}
	dispatcher := dispatcherFor(secret)
	if previous != "" {
		dispatcher = rotating(dispatcher, dispatcherFor(previous), previous)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhook deliveries are POSTed", http.StatusMethodNotAllowed)
			return
		}
		event := r.Header.Get("X-GitHub-Event")
		// go-github would fall back to the SHA-1 signature; we require SHA-256.
		if r.Header.Get("X-Hub-Signature-256") == "" {
			intake.reject(w, r, event, http.StatusBadRequest, "missing X-Hub-Signature-256: set a webhook secret on the GitHub App")
			return
		}
		if r.Header.Get("X-GitHub-Delivery") == "" {
			intake.reject(w, r, event, http.StatusBadRequest, "missing X-GitHub-Delivery header")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			intake.reject(w, r, event, http.StatusRequestEntityTooLarge, "payload larger than 25 MiB")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		dispatcher.ServeHTTP(w, r)
	})
}

type intake struct {
	queue   Enqueuer
	metrics *metrics.Metrics
}

func (i *intake) Handles() []string { return Events }

var errNotJSON = errors.New("payload is not a JSON object")

func (i *intake) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	start := time.Now()
	// The routing facts every payload shares. gjson reads them without
	// decoding the whole payload, which encoding/json would (a third of
	// the intake's CPU); the job decodes it fully later.
	if !gjson.ValidBytes(payload) || !gjson.ParseBytes(payload).IsObject() {
		return githubapp.ValidationError{EventType: eventType, DeliveryID: deliveryID, Cause: errNotJSON}
	}
	facts := gjson.GetManyBytes(payload, "action", "installation.id", "repository.full_name")
	d := store.Delivery{
		ID: deliveryID, Event: eventType, ReceivedAt: start, Payload: store.Pack(payload),
		Action: facts[0].String(), InstallationID: facts[1].Int(), Repository: facts[2].String(),
	}
	logger := zerolog.Ctx(ctx).With().Int64(logging.FieldInstallation, d.InstallationID).Str(logging.FieldRepository, d.Repository).Logger()

	fresh, err := i.queue.Enqueue(ctx, d)
	if err != nil {
		return fmt.Errorf("commit delivery %s: %w", deliveryID, err)
	}
	i.metrics.IntakeSeconds.Observe(time.Since(start).Seconds())
	outcome, body := "queued", "queued\n"
	if !fresh {
		outcome, body = "duplicate", "duplicate delivery: already recorded, not run again\n"
	}
	i.metrics.Deliveries.WithLabelValues(eventType, outcome).Inc()
	logger.Debug().Str("github_event_action", d.Action).Msg("delivery " + outcome)
	githubapp.SetResponder(ctx, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
	})
	return nil
}

func (i *intake) onResponse(w http.ResponseWriter, r *http.Request, event string, handled bool) {
	if !handled {
		i.metrics.Deliveries.WithLabelValues(eventLabel(event), "ignored").Inc()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusAccepted)
		_, _ = fmt.Fprintf(w, "event %q is not one ospo-bot acts on: ignored\n", event)
		return
	}
	githubapp.DefaultResponseCallback(w, r, event, handled)
}

func (i *intake) onError(w http.ResponseWriter, r *http.Request, err error) {
	event := r.Header.Get("X-GitHub-Event")
	var ve githubapp.ValidationError
	if errors.As(err, &ve) {
		status, msg := http.StatusBadRequest, "invalid webhook: "+ve.Cause.Error()
		var tooBig *http.MaxBytesError
		if errors.As(ve.Cause, &tooBig) {
			status, msg = http.StatusRequestEntityTooLarge, "payload larger than 25 MiB"
		}
		i.reject(w, r, event, status, msg)
		return
	}
	i.metrics.Deliveries.WithLabelValues(event, "error").Inc()
	zerolog.Ctx(r.Context()).Error().Err(err).Msg("delivery not committed; answered 503 so GitHub shows it as failed and it can be redelivered")
	w.Header().Set("Retry-After", "5")
	http.Error(w, "delivery not recorded, please redeliver", http.StatusServiceUnavailable)
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

// rotating sends a delivery signed with the previous secret to a
// dispatcher that verifies that secret, and every other one to current.
func rotating(current, prev http.Handler, previous string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			current.ServeHTTP(w, r) // let the dispatcher report the read error
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		mac := hmac.New(sha256.New, []byte(previous))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
			prev.ServeHTTP(w, r)
			return
		}
		current.ServeHTTP(w, r)
	})
}
