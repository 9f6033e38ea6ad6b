package deploy

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/webhook"
)

// TestChartMemoryHoldsTheWebhookBodies: the chart says how many webhook
// bodies a pod reads at once, and its memory limit holds that many bodies
// of GitHub's largest size with room for the process and its jobs
// (reserve, about 150 MiB measured idle with the demo's fake GitHub in the
// same process, and jobs).
func TestChartMemoryHoldsTheWebhookBodies(t *testing.T) {
	const reserve = 256 << 20
	values := readYAML(t, filepath.Join(chartDir, "values.yaml"))
	if _, ok := values["config"].(m)["webhook_max_inflight"]; !ok {
		t.Fatal("values.yaml config does not set webhook_max_inflight")
	}
	rendered, err := render(t, "ospo", testValues)
	if err != nil {
		t.Fatal(err)
	}
	objs := manifests(t, rendered)
	cfgText, _ := get(t, objs["ConfigMap"], "data").(m)["ospo-bot.yml"].(string)
	cfgPath := filepath.Join(t.TempDir(), "ospo-bot.yml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	limit := get(t, objs["Deployment"], "spec.template.spec.containers.0.resources.limits.memory").(string)
	mi, err := strconv.Atoi(strings.TrimSuffix(limit, "Mi"))
	if err != nil || !strings.HasSuffix(limit, "Mi") {
		t.Fatalf("memory limit %q is not in Mi", limit)
	}
	bodies := cfg.WebhookMaxInFlight * webhook.MaxBodyBytes
	if bodies+reserve > mi<<20 {
		t.Errorf("webhook_max_inflight %d × 25 MiB + %d MiB = %d MiB, over the memory limit %s",
			cfg.WebhookMaxInFlight, reserve>>20, (bodies+reserve)>>20, limit)
	}
}
