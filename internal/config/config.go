// Package config loads the server's settings from a YAML file and OSPO_ environment variables, and checks them.
package config

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"gopkg.in/yaml.v3"
)

// Config is every setting of the server. The YAML key of each field is the
// name of its environment variable without the OSPO_ prefix, in lower case.
type Config struct {
	Listen               string `yaml:"listen"`
	DatabaseURL          string `yaml:"database_url"`
	LogLevel             string `yaml:"log_level"`
	GitHubAPIURL         string `yaml:"github_api_url"`
	GitHubAppID          int64  `yaml:"github_app_id"`
	GitHubPrivateKey     string `yaml:"github_private_key"`
	GitHubPrivateKeyFile string `yaml:"github_private_key_file"`
	GitHubWebhookSecret  string `yaml:"github_webhook_secret"`
	// GitHubWebhookSecretPrevious is also accepted while the secret is
	// being rotated.
	GitHubWebhookSecretPrevious string        `yaml:"github_webhook_secret_previous"`
	Workers                     int           `yaml:"workers"`
	ShutdownTimeout             time.Duration `yaml:"shutdown_timeout"`
	SweepInterval               time.Duration `yaml:"sweep_interval"`
	JobTimeout                  time.Duration `yaml:"job_timeout"`
	// JobRetryBase scales the backoff of a failed job: attempt n runs
	// again after JobRetryBase × n⁴ (River's default at 1s). Tests
	// shorten it.
	JobRetryBase time.Duration `yaml:"job_retry_base"`
	// ReplicaID names this replica among those sharing a Postgres
	// database, the same across its restarts (the pod's name): a
	// replica that restarts runs the jobs its previous process left
	// running at once, not after River's rescue horizon.
	ReplicaID string `yaml:"replica_id"`
	// WebhookMaxInFlight bounds the webhook bodies read at once (each up
	// to 25 MiB); past it a delivery is answered 503.
	WebhookMaxInFlight int `yaml:"webhook_max_inflight"`
	// DeliveryPayloadRetention is how long a processed delivery's payload
	// is kept, counted from its receipt.
	DeliveryPayloadRetention time.Duration `yaml:"delivery_payload_retention"`
	// DeliveryRetention is how long a processed or failed delivery's row
	// (and a failed one's payload) is kept: a redelivery of its
	// X-GitHub-Delivery is recognised for that long.
	DeliveryRetention time.Duration `yaml:"delivery_retention"`

	// Sign-in to the dashboard (internal/signin), with the GitHub App's
	// OAuth web flow. Without a client ID the dashboard is off.
	GitHubClientID     string `yaml:"github_client_id"`
	GitHubClientSecret string `yaml:"github_client_secret"`
	// PublicURL is where browsers reach ospo-bot (https://HOST); the
	// app's callback URL is PublicURL/dashboard/auth/callback.
	PublicURL string `yaml:"public_url"`
	// GitHubWebURL is GitHub's web address, where users sign in:
	// https://github.com, or https://HOST for GitHub Enterprise Server.
	GitHubWebURL string `yaml:"github_web_url"`

	// DepsDevURL is deps.dev's API (internal/depsdev), where the licences
	// of dependencies that GitHub does not give are looked up.
	DepsDevURL string `yaml:"depsdev_url"`
}

// minDeliveryRetention is GitHub's redelivery window: a delivery row kept
// shorter could not recognise a redelivery GitHub still offers.
const minDeliveryRetention = 72 * time.Hour

// Default returns the settings used when neither file nor environment says otherwise.
func Default() Config {
	return Config{
		Listen:       "127.0.0.1:8080",
		DatabaseURL:  "sqlite://data/ospo-bot.db",
		LogLevel:     "info",
		GitHubAPIURL: "https://api.github.com/",
		// Sized by BenchmarkPRCheckThroughput (internal/server): at 50 ms a
		// GitHub call a PR check is ~3 calls in a row plus the database,
		// so 100 checks/s keep ~20 jobs busy; 10 workers gave 43-49
		// checks/s, 25 to 100 gave 40-112 (the database and the machine's
		// CPU, not the workers, then set the pace), and 50 leaves room for
		// a slower GitHub. ghclient bounds each installation's requests in
		// flight (50 a process) whatever the workers.
		Workers:         50,
		ShutdownTimeout: 30 * time.Second,
		SweepInterval:   24 * time.Hour,
		JobTimeout:      5 * time.Minute,
		JobRetryBase:    time.Second,
		// 8 × 25 MiB = 200 MiB of bodies at most, well under the Helm
		// chart's 512 MiB with the process and its jobs.
		WebhookMaxInFlight: 8,
		// store.DefaultRetention.
		DeliveryPayloadRetention: 14 * 24 * time.Hour,
		DeliveryRetention:        90 * 24 * time.Hour,
		GitHubWebURL:             "https://github.com",
		DepsDevURL:               "https://api.deps.dev",
	}
}

// setting ties a field to its environment variable.
type setting struct {
	env    string
	secret bool
	redact func(string) string // shows what of a value may be listed
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

func str(f func(c *Config) *string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error { *f(c) = v; return nil }, func(c *Config) string { return *f(c) }
}

func settings() []setting {
	s := func(env string, secret bool, f func(c *Config) *string) setting {
		set, get := str(f)
		return setting{env: env, secret: secret, set: set, get: get}
	}
	return []setting{
		s("OSPO_LISTEN", false, func(c *Config) *string { return &c.Listen }),
		{env: "OSPO_DATABASE_URL", redact: redactDatabaseURL,
			set: func(c *Config, v string) error { c.DatabaseURL = v; return nil },
			get: func(c *Config) string { return c.DatabaseURL }},
		s("OSPO_LOG_LEVEL", false, func(c *Config) *string { return &c.LogLevel }),
		s("OSPO_GITHUB_API_URL", false, func(c *Config) *string { return &c.GitHubAPIURL }),
		{env: "OSPO_GITHUB_APP_ID",
			set: func(c *Config, v string) error {
				id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil {
					return fmt.Errorf("OSPO_GITHUB_APP_ID=%q is not a number", v)
				}
				c.GitHubAppID = id
				return nil
			},
			get: func(c *Config) string { return strconv.FormatInt(c.GitHubAppID, 10) }},
		s("OSPO_GITHUB_PRIVATE_KEY", true, func(c *Config) *string { return &c.GitHubPrivateKey }),
		s("OSPO_GITHUB_PRIVATE_KEY_FILE", false, func(c *Config) *string { return &c.GitHubPrivateKeyFile }),
		s("OSPO_GITHUB_WEBHOOK_SECRET", true, func(c *Config) *string { return &c.GitHubWebhookSecret }),
		s("OSPO_GITHUB_WEBHOOK_SECRET_PREVIOUS", true, func(c *Config) *string { return &c.GitHubWebhookSecretPrevious }),
		{env: "OSPO_WORKERS",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return fmt.Errorf("OSPO_WORKERS=%q is not a number", v)
				}
				c.Workers = n
				return nil
			},
			get: func(c *Config) string { return strconv.Itoa(c.Workers) }},
		{env: "OSPO_WEBHOOK_MAX_INFLIGHT",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return fmt.Errorf("OSPO_WEBHOOK_MAX_INFLIGHT=%q is not a number", v)
				}
				c.WebhookMaxInFlight = n
				return nil
			},
			get: func(c *Config) string { return strconv.Itoa(c.WebhookMaxInFlight) }},
		duration("OSPO_SHUTDOWN_TIMEOUT", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
		duration("OSPO_SWEEP_INTERVAL", func(c *Config) *time.Duration { return &c.SweepInterval }),
		duration("OSPO_JOB_TIMEOUT", func(c *Config) *time.Duration { return &c.JobTimeout }),
		duration("OSPO_JOB_RETRY_BASE", func(c *Config) *time.Duration { return &c.JobRetryBase }),
		s("OSPO_REPLICA_ID", false, func(c *Config) *string { return &c.ReplicaID }),
		duration("OSPO_DELIVERY_PAYLOAD_RETENTION", func(c *Config) *time.Duration { return &c.DeliveryPayloadRetention }),
		duration("OSPO_DELIVERY_RETENTION", func(c *Config) *time.Duration { return &c.DeliveryRetention }),
		s("OSPO_GITHUB_CLIENT_ID", false, func(c *Config) *string { return &c.GitHubClientID }),
		s("OSPO_GITHUB_CLIENT_SECRET", true, func(c *Config) *string { return &c.GitHubClientSecret }),
		s("OSPO_PUBLIC_URL", false, func(c *Config) *string { return &c.PublicURL }),
		s("OSPO_GITHUB_WEB_URL", false, func(c *Config) *string { return &c.GitHubWebURL }),
		s("OSPO_DEPSDEV_URL", false, func(c *Config) *string { return &c.DepsDevURL }),
	}
}

func duration(env string, f func(c *Config) *time.Duration) setting {
	return setting{env: env,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%s=%q is not a duration such as 30s", env, v)
			}
			*f(c) = d
			return nil
		},
		get: func(c *Config) string { return f(c).String() }}
}

// Load reads the YAML file at path (none when empty), then applies the
// environment (lookup is os.LookupEnv in production). Unknown keys, wrong
// types and unparsable values are errors that name the key and line.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return c, fmt.Errorf("read config: %w", err)
		}
		defer f.Close()
		if err := decode(f, &c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	var errs []error
	for _, s := range settings() {
		if v, ok := lookup(s.env); ok {
			if err := s.set(&c, v); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return c, errors.Join(errs...)
}

func decode(r io.Reader, c *Config) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		// yaml.v3 says "line 3: field foo not found in type config.Config";
		// say it in the words of the file instead.
		msg := strings.ReplaceAll(err.Error(), "not found in type config.Config", "is not a known setting")
		msg = strings.ReplaceAll(msg, "yaml: unmarshal errors:\n  ", "")
		return errors.New(msg)
	}
	return nil
}

// Validate checks the settings the server cannot run without, naming every
// one that is missing or wrong at once.
func (c *Config) Validate() error {
	var errs []error
	if c.GitHubAppID <= 0 {
		errs = append(errs, errors.New("github_app_id (OSPO_GITHUB_APP_ID) is not set: the numeric App ID from the app's settings page"))
	}
	switch {
	case c.GitHubPrivateKey == "" && c.GitHubPrivateKeyFile == "":
		errs = append(errs, errors.New("github_private_key (OSPO_GITHUB_PRIVATE_KEY) or github_private_key_file (OSPO_GITHUB_PRIVATE_KEY_FILE) is not set: the app's private key in PEM form"))
	case c.GitHubPrivateKey != "" && c.GitHubPrivateKeyFile != "":
		errs = append(errs, errors.New("both github_private_key and github_private_key_file are set: set only one"))
	default:
		if _, err := c.PrivateKey(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.GitHubWebhookSecret == "" {
		errs = append(errs, errors.New("github_webhook_secret (OSPO_GITHUB_WEBHOOK_SECRET) is not set: the webhook secret entered when registering the app"))
	}
	if u, err := url.Parse(c.GitHubAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("github_api_url (OSPO_GITHUB_API_URL) %q is not an http(s) URL", c.GitHubAPIURL))
	}
	if u, err := url.Parse(c.DepsDevURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("depsdev_url (OSPO_DEPSDEV_URL) %q is not an http(s) URL: deps.dev's API, https://api.deps.dev, or a mirror of it", c.DepsDevURL))
	}
	if c.Workers < 1 {
		errs = append(errs, fmt.Errorf("workers (OSPO_WORKERS) is %d: it must be at least 1", c.Workers))
	}
	if c.WebhookMaxInFlight < 1 {
		errs = append(errs, fmt.Errorf("webhook_max_inflight (OSPO_WEBHOOK_MAX_INFLIGHT) is %d: it must be at least 1 (each body may take 25 MiB)", c.WebhookMaxInFlight))
	}
	if c.SweepInterval < 0 || (c.SweepInterval > 0 && c.SweepInterval < time.Second) {
		errs = append(errs, fmt.Errorf("sweep_interval (OSPO_SWEEP_INTERVAL) is %s: use 0 to turn the sweep off, or at least 1s", c.SweepInterval))
	}
	if c.JobTimeout < time.Second {
		errs = append(errs, fmt.Errorf("job_timeout (OSPO_JOB_TIMEOUT) is %s: it must be at least 1s", c.JobTimeout))
	}
	if c.JobRetryBase < time.Millisecond {
		errs = append(errs, fmt.Errorf("job_retry_base (OSPO_JOB_RETRY_BASE) is %s: it must be at least 1ms", c.JobRetryBase))
	}
	if len(c.ReplicaID) > 100 {
		errs = append(errs, fmt.Errorf("replica_id (OSPO_REPLICA_ID) is %d bytes long: at most 100", len(c.ReplicaID)))
	}
	if c.DeliveryPayloadRetention < time.Hour {
		errs = append(errs, fmt.Errorf("delivery_payload_retention (OSPO_DELIVERY_PAYLOAD_RETENTION) is %s: it must be at least 1h", c.DeliveryPayloadRetention))
	}
	if c.DeliveryRetention < max(minDeliveryRetention, c.DeliveryPayloadRetention) {
		errs = append(errs, fmt.Errorf("delivery_retention (OSPO_DELIVERY_RETENTION) is %s: it must be at least 72h (GitHub offers a delivery for redelivery for 3 days, and its row is what recognises the redelivery) and at least delivery_payload_retention (%s)",
			c.DeliveryRetention, c.DeliveryPayloadRetention))
	}
	errs = append(errs, c.validateSignIn()...)
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown_timeout (OSPO_SHUTDOWN_TIMEOUT) is %s: it must be positive", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// DashboardEnabled reports whether sign-in to the dashboard is set up
// (a client ID); without it /dashboard/ says how to turn it on.
func (c *Config) DashboardEnabled() bool { return c.GitHubClientID != "" }

// CallbackURL is the user authorization callback URL to register on the
// GitHub App: PublicURL/dashboard/auth/callback.
func (c *Config) CallbackURL() string {
	return strings.TrimSuffix(c.PublicURL, "/") + "/dashboard/auth/callback"
}

func (c *Config) validateSignIn() []error {
	var errs []error
	if u, err := url.Parse(c.GitHubWebURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("github_web_url (OSPO_GITHUB_WEB_URL) %q is not an http(s) URL: GitHub's web address, https://github.com or https://HOST for GitHub Enterprise Server", c.GitHubWebURL))
	}
	if !c.DashboardEnabled() {
		if c.GitHubClientSecret != "" {
			errs = append(errs, errors.New("github_client_id (OSPO_GITHUB_CLIENT_ID) is not set but github_client_secret is: set both (the App's settings page shows the client ID) or neither (the dashboard is then off)"))
		}
		return errs
	}
	if c.GitHubClientSecret == "" {
		errs = append(errs, errors.New("github_client_secret (OSPO_GITHUB_CLIENT_SECRET) is not set: generate one on the App's settings page (Client secrets), or unset github_client_id to turn the dashboard off"))
	}
	if c.PublicURL == "" {
		errs = append(errs, errors.New("public_url (OSPO_PUBLIC_URL) is not set: the address where browsers reach ospo-bot (https://HOST); register https://HOST/dashboard/auth/callback as the App's callback URL"))
		return errs
	}
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("public_url (OSPO_PUBLIC_URL) %q is not an absolute URL: write https://HOST", c.PublicURL))
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		errs = append(errs, fmt.Errorf("public_url (OSPO_PUBLIC_URL) %q: write it without a path, query or user (https://HOST): the dashboard is served at /dashboard/", c.PublicURL))
	case u.Scheme == "http" && !loopback(u.Hostname()):
		errs = append(errs, fmt.Errorf("public_url (OSPO_PUBLIC_URL) %q: use https; the session cookie is Secure, which browsers keep over http only on this machine (localhost, 127.0.0.1)", c.PublicURL))
	}
	return errs
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PrivateKeyPEM returns the app's private key in PEM form, from the setting
// or the file it names.
func (c *Config) PrivateKeyPEM() ([]byte, error) {
	if c.GitHubPrivateKeyFile != "" {
		b, err := os.ReadFile(c.GitHubPrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("github_private_key_file: %w", err)
		}
		return b, nil
	}
	// Environments often carry PEM with literal \n; accept that form too.
	return []byte(strings.ReplaceAll(c.GitHubPrivateKey, `\n`, "\n")), nil
}

// PrivateKey parses the app's private key, saying plainly when it is not an RSA PEM key.
func (c *Config) PrivateKey() (*rsa.PrivateKey, error) {
	pem, err := c.PrivateKeyPEM()
	if err != nil {
		return nil, err
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("github private key is not a valid RSA private key in PEM form (%v): download a new .pem from the app's settings page", err)
	}
	return key, nil
}

// Redacted lists every setting as ENV=value with secrets masked, for logs and `--explain`.
func (c *Config) Redacted() map[string]string {
	out := map[string]string{}
	for _, s := range settings() {
		v := s.get(c)
		if s.secret && v != "" {
			v = "(set, " + strconv.Itoa(len(v)) + " bytes)"
		}
		if s.redact != nil {
			v = s.redact(v)
		}
		out[s.env] = v
	}
	return out
}

// redactDatabaseURL lists a SQLite URL (a file name) whole and of any other
// only the scheme: a Postgres URL may hold a password, parsable or not.
func redactDatabaseURL(v string) string {
	scheme, _, ok := strings.Cut(v, "://")
	switch {
	case ok && (scheme == "sqlite" || scheme == "sqlite3" || scheme == "file"):
		return v
	case ok && !strings.ContainsAny(scheme, ":@/?#"):
		return scheme + "://[redacted]"
	default:
		return "[redacted]"
	}
}
