package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testKey(t *testing.T) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func TestLoadFileThenEnvironment(t *testing.T) {
	path := writeFile(t, "ospo.yml", "listen: 0.0.0.0:9000\nworkers: 4\nshutdown_timeout: 5s\ngithub_app_id: 12\n")
	c, err := Load(path, env(map[string]string{"OSPO_WORKERS": "7", "OSPO_DATABASE_URL": "postgres://db/ospo"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "0.0.0.0:9000" || c.Workers != 7 || c.ShutdownTimeout != 5*time.Second || c.GitHubAppID != 12 ||
		c.DatabaseURL != "postgres://db/ospo" || c.LogLevel != "info" {
		t.Fatalf("config = %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{"unknown key", "listen: x\nlisen_addr: y\n", nil, "line 2: field lisen_addr is not a known setting"},
		{"wrong type", "workers: many\n", nil, "line 1"},
		{"bad env number", "", map[string]string{"OSPO_GITHUB_APP_ID": "abc"}, `OSPO_GITHUB_APP_ID="abc" is not a number`},
		{"bad env duration", "", map[string]string{"OSPO_SHUTDOWN_TIMEOUT": "soon"}, "OSPO_SHUTDOWN_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, "c.yml", tc.yaml), env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidateNamesEveryMissingSetting(t *testing.T) {
	c := Default()
	err := c.Validate()
	for _, want := range []string{"OSPO_GITHUB_APP_ID", "OSPO_GITHUB_PRIVATE_KEY", "OSPO_GITHUB_WEBHOOK_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
}

func TestValidatePrivateKey(t *testing.T) {
	key := testKey(t)
	for _, tc := range []struct {
		name    string
		key     string
		file    string
		wantErr string
	}{
		{"pem text", key, "", ""},
		{"pem with escaped newlines", strings.ReplaceAll(key, "\n", `\n`), "", ""},
		{"pem file", "", key, ""},
		{"garbage", "not a key", "", "not a valid RSA private key"},
		{"both", key, key, "set only one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.GitHubAppID, c.GitHubWebhookSecret, c.GitHubPrivateKey = 1, "s", tc.key
			if tc.file != "" {
				c.GitHubPrivateKeyFile = writeFile(t, "key.pem", tc.file)
			}
			err := c.Validate()
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Validate() = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestRedactedHidesSecrets(t *testing.T) {
	c := Default()
	c.GitHubWebhookSecret, c.GitHubPrivateKey = "hunter2-secret", "-----BEGIN RSA PRIVATE KEY-----"
	for k, v := range c.Redacted() {
		if strings.Contains(v, "hunter2") || strings.Contains(v, "BEGIN") {
			t.Errorf("%s leaks a secret: %q", k, v)
		}
	}
	if c.Redacted()["OSPO_LISTEN"] != "127.0.0.1:8080" {
		t.Error("non-secret setting missing")
	}
}

// TestExampleConfigLoads: config/ospo-bot.example.yml documents every
// setting, and every key in it is one the server knows.
func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../../config/ospo-bot.example.yml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile("../../config/ospo-bot.example.yml")
	for _, s := range settings() {
		key := strings.ToLower(strings.TrimPrefix(s.env, "OSPO_"))
		if !strings.Contains(string(data), "\n"+key+":") {
			t.Errorf("the example does not document %s", key)
		}
	}
	if c.Listen != Default().Listen || c.SweepInterval != Default().SweepInterval {
		t.Errorf("the example's values differ from the defaults it states: %+v", c)
	}
}

// TestJobRetryBase: job_retry_base (OSPO_JOB_RETRY_BASE) is River's one
// second unless set, and a base under a millisecond (a retry storm) is
// refused.
func TestJobRetryBase(t *testing.T) {
	if Default().JobRetryBase != time.Second {
		t.Errorf("default %s, want 1s (River's backoff)", Default().JobRetryBase)
	}
	c, err := Load("", env(map[string]string{"OSPO_JOB_RETRY_BASE": "5ms"}))
	if err != nil || c.JobRetryBase != 5*time.Millisecond {
		t.Fatalf("Load = %s, %v", c.JobRetryBase, err)
	}
	c.JobRetryBase = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "job_retry_base (OSPO_JOB_RETRY_BASE)") {
		t.Errorf("Validate() = %v, want it to refuse a zero base", err)
	}
}

// TestDeliveryRetention: payloads 14 days and rows 90 days unless set,
// from the file or the environment; a row retention shorter than GitHub's
// 3-day redelivery window, or than the payloads', is refused.
func TestDeliveryRetention(t *testing.T) {
	d := Default()
	if d.DeliveryPayloadRetention != 14*24*time.Hour || d.DeliveryRetention != 90*24*time.Hour {
		t.Errorf("defaults %s and %s, want 336h and 2160h", d.DeliveryPayloadRetention, d.DeliveryRetention)
	}
	c, err := Load(writeFile(t, "c.yml", "delivery_payload_retention: 48h\n"), env(map[string]string{"OSPO_DELIVERY_RETENTION": "720h"}))
	if err != nil || c.DeliveryPayloadRetention != 48*time.Hour || c.DeliveryRetention != 720*time.Hour {
		t.Fatalf("Load = %s, %s, %v", c.DeliveryPayloadRetention, c.DeliveryRetention, err)
	}
	for _, tc := range []struct {
		payloads, rows time.Duration
		want           string
	}{
		{time.Minute, 90 * 24 * time.Hour, "delivery_payload_retention (OSPO_DELIVERY_PAYLOAD_RETENTION) is 1m0s"},
		{time.Hour, 24 * time.Hour, "delivery_retention (OSPO_DELIVERY_RETENTION) is 24h0m0s: it must be at least 72h"},
		{30 * 24 * time.Hour, 10 * 24 * time.Hour, "at least delivery_payload_retention (720h0m0s)"},
	} {
		c := Default()
		c.DeliveryPayloadRetention, c.DeliveryRetention = tc.payloads, tc.rows
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%s, %s) = %v, want %q", tc.payloads, tc.rows, err, tc.want)
		}
	}
}
