package jobs

import (
	"context"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"
)

// handlePing logs the hook GitHub just set up, so an admin can see the
// app's webhook reached us.
func handlePing(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.PingEvent](d)
	if err != nil {
		return err
	}
	var events []string
	if hook := ev.GetHook(); hook != nil {
		events = hook.Events
	}
	zerolog.Ctx(ctx).Info().Int64("hook_id", ev.GetHookID()).Strs("hook_events", events).
		Str("zen", ev.GetZen()).Msg("GitHub pinged the webhook")
	return nil
}
