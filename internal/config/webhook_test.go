package config

import (
	"strings"
	"testing"
)

// TestWebhookMaxInFlight: webhook_max_inflight (OSPO_WEBHOOK_MAX_INFLIGHT)
// defaults to 8, is read from the file and the environment, and must be at
// least 1.
func TestWebhookMaxInFlight(t *testing.T) {
	if got := Default().WebhookMaxInFlight; got != 8 {
		t.Errorf("default webhook_max_inflight = %d, want 8", got)
	}
	c, err := Load(writeFile(t, "c.yml", "webhook_max_inflight: 4\n"), env(nil))
	if err != nil || c.WebhookMaxInFlight != 4 {
		t.Fatalf("from the file: %d, %v", c.WebhookMaxInFlight, err)
	}
	c, err = Load("", env(map[string]string{"OSPO_WEBHOOK_MAX_INFLIGHT": "12"}))
	if err != nil || c.WebhookMaxInFlight != 12 {
		t.Fatalf("from the environment: %d, %v", c.WebhookMaxInFlight, err)
	}
	if _, err := Load("", env(map[string]string{"OSPO_WEBHOOK_MAX_INFLIGHT": "lots"})); err == nil || !strings.Contains(err.Error(), "OSPO_WEBHOOK_MAX_INFLIGHT") {
		t.Errorf("not a number: %v", err)
	}
	c = Default()
	c.GitHubAppID, c.GitHubWebhookSecret, c.GitHubPrivateKey = 1, "s", testKey(t)
	c.WebhookMaxInFlight = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "webhook_max_inflight (OSPO_WEBHOOK_MAX_INFLIGHT)") {
		t.Errorf("Validate() with 0 = %v", err)
	}
}
