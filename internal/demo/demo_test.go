package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestScenario runs the demo as `ospo-bot demo --once` does and requires
// every step to give its result.
func TestScenario(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), Options{Once: true, Out: &out, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1. acme/widget is made public", "❌ **license**", "✅ **license**", "refused:", "closed: Approved by @lead", "check run ospo/policy: failure", "check run ospo/policy: success", "Every step gave the expected result."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
}
