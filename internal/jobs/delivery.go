package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/prcommand"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// DeliveryArgs is one webhook delivery as committed at intake: its routing
// facts. GitHub's payload, byte for byte, is in the deliveries table (so
// River does not re-encode and copy 28 KB per job on the intake path), and
// is loaded into Payload when the job runs.
type DeliveryArgs struct {
	DeliveryID     string `json:"delivery_id"`
	Event          string `json:"event"`
	Action         string `json:"action,omitempty"`
	InstallationID int64  `json:"installation_id,omitempty"`
	Repository     string `json:"repository,omitempty"`

	Payload json.RawMessage `json:"-"`
}

// Kind names the job kind in River's tables.
func (DeliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts runs deliveries after intake groups and before checks.
func (DeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityDelivery}
}

// eventHandler does what one event asks. It reads the payload itself, so
// a payload it cannot read fails its job visibly instead of the webhook.
type eventHandler func(ctx context.Context, d *DeliveryArgs) error

type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	deps     Deps
	handlers map[string]eventHandler
}

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	d := &job.Args
	logger := zerolog.Ctx(ctx).With().
		Str(logging.FieldDelivery, d.DeliveryID).
		Str(logging.FieldEvent, d.Event).
		Str("github_event_action", d.Action).
		Int64(logging.FieldInstallation, d.InstallationID).
		Str(logging.FieldRepository, d.Repository).
		Logger()
	ctx = logger.WithContext(ctx)

	var err error
	handler, known := w.handlers[d.Event]
	if known {
		rec, loadErr := w.deps.Store.Delivery(ctx, d.DeliveryID)
		switch {
		case loadErr != nil:
			err = fmt.Errorf("load delivery: %w", loadErr)
		case rec.Outcome == store.OutcomeProcessed:
			// River completes jobs a moment after they return; a process
			// that died in between leaves a job that already did its work.
			logger.Info().Msg("delivery was processed before a restart; not running it again")
			return nil
		default:
			if d.Payload, err = rec.Payload.Unpack(); err == nil {
				err = handler(ctx, d)
			}
		}
	}
	v := settle(err, job.JobRow, time.Now())
	outcome, detail := store.OutcomeProcessed, v.note
	switch {
	case err != nil && v.final:
		outcome = store.OutcomeFailed
		logger.Error().Err(err).Msg(v.note)
	case err != nil:
		outcome = store.OutcomeQueued
		logger.Warn().Err(err).Msg(v.note)
	case !known:
		detail = "recorded; no rule acts on this event"
		logger.Debug().Msg(detail)
	default:
		logger.Info().Msg("delivery processed")
	}
	if v.final {
		w.deps.Metrics.Deliveries.WithLabelValues(d.Event, outcome).Inc()
	}
	if recErr := w.deps.Store.FinishDelivery(ctx, d.DeliveryID, outcome, detail); recErr != nil {
		logger.Error().Err(recErr).Msg("could not record the delivery's outcome")
		if err == nil {
			return recErr // retry: the record must say what happened
		}
	}
	return v.err
}

// eventHandlers maps each event to its handler. Events without one are
// recorded and need no work yet.
func eventHandlers(deps Deps, chk *checker) map[string]eventHandler {
	inst := &installationHandler{deps: deps}
	prs := &prHandler{deps: deps, checker: chk}
	return map[string]eventHandler{
		"pull_request":              prs.handlePullRequest,
		"pull_request_review":       prs.handleReview,
		"check_suite":               prs.handleCheckSuite,
		"check_run":                 prs.handleCheckRun,
		"merge_group":               prs.handleMergeGroup,
		"installation":              inst.handle,
		"installation_repositories": inst.handleRepositories,
		"repository":                (&repositoryHandler{deps: deps}).handle,
		"push":                      (&pushHandler{deps: deps, checker: chk}).handle,
		"issue_comment":             (&commentHandler{deps: deps, checker: chk, pr: &prcommand.Handler{Store: deps.Store, Review: chk.review}}).handle,
		"ping":                      handlePing,
		"github_app_authorization":  (&appAuthorizationHandler{deps: deps}).handle,
	}
}

// decode reads the delivery's payload as a T. A payload that does not
// decode fails its job for good, naming the event and action: a retry
// would read the same bytes.
func decode[T any](d *DeliveryArgs) (*T, error) {
	ev := new(T)
	if err := json.Unmarshal(d.Payload, ev); err != nil {
		what := d.Event
		if d.Action != "" {
			what += " " + d.Action
		}
		return nil, permanent("read %s payload: %v", what, err)
	}
	return ev, nil
}
