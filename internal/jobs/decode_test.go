package jobs

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
)

func TestDecodeReadsThePayload(t *testing.T) {
	d := &DeliveryArgs{Event: "push", Payload: []byte(`{"ref":"refs/heads/main","repository":{"id":7}}`)}
	ev, err := decode[github.PushEvent](d)
	if err != nil {
		t.Fatal(err)
	}
	if ev.GetRef() != "refs/heads/main" || ev.GetRepo().GetID() != 7 {
		t.Errorf("decoded %+v", ev)
	}
}

func TestDecodeRefusesAMalformedPayloadForGood(t *testing.T) {
	for _, d := range []*DeliveryArgs{
		{Event: "pull_request", Action: "opened", Payload: []byte(`{"action":`)},
		{Event: "pull_request", Action: "edited", Payload: []byte(`{"number":"seven"}`)},
		{Event: "ping", Payload: nil},
	} {
		_, err := decode[github.PullRequestEvent](d)
		var perm permanentError
		if !errors.As(err, &perm) {
			t.Errorf("%s payload %q: err = %v, want a permanent error (a retry reads the same bytes)", d.Event, d.Payload, err)
			continue
		}
		if !strings.Contains(err.Error(), d.Event) || !strings.Contains(err.Error(), d.Action) {
			t.Errorf("err = %q, want it to name the event %q and action %q", err, d.Event, d.Action)
		}
	}
}
