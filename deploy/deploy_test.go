// Package deploy holds ospo-bot's deployment files: the Helm chart
// (helm/ospo-bot), the Compose file and, in ../config/app.yml, the GitHub App
// manifest. This test parses each and checks the fields that matter, so a
// broken manifest fails CI; the Compose file is also loaded by compose-go,
// the chart also rendered by the real helm where there is one. The chart is rendered without helm: its templates
// keep to text/template plus the few Sprig/Helm functions in funcs below.
package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

type m = map[string]any

func readYAML(t *testing.T, path string) m {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v m
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// get walks a path of map keys and list indexes ("spec.template.spec.containers.0").
func get(t *testing.T, v any, path string) any {
	t.Helper()
	cur := v
	for _, k := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case m:
			next, ok := c[k]
			if !ok {
				t.Fatalf("%s: no key %q", path, k)
			}
			cur = next
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(c) {
				t.Fatalf("%s: no index %q in a list of %d", path, k, len(c))
			}
			cur = c[i]
		default:
			t.Fatalf("%s: cannot take %q of %T", path, k, cur)
		}
	}
	return cur
}

func eq(t *testing.T, v any, path string, want any) {
	t.Helper()
	if got := get(t, v, path); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", path, got, want)
	}
}

func TestAppManifest(t *testing.T) {
	app := readYAML(t, filepath.Join("..", "config", "app.yml"))

	// The manifest flow posts it as JSON.
	if _, err := json.Marshal(app); err != nil {
		t.Fatalf("app.yml does not convert to JSON: %v", err)
	}
	keys := []string{}
	for k := range app {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"callback_urls", "default_events", "default_permissions", "description", "hook_attributes", "name", "public", "redirect_url", "url"}
	if !slices.Equal(keys, want) {
		t.Errorf("app.yml keys = %v, want %v", keys, want)
	}
	if name, _ := app["name"].(string); name == "" || len(name) > 34 {
		t.Errorf("name %q: must be 1 to 34 characters", name)
	}
	for _, p := range []string{"url", "redirect_url", "hook_attributes.url"} {
		if s, _ := get(t, app, p).(string); !strings.HasPrefix(s, "https://") {
			t.Errorf("%s = %q, want an https URL", p, s)
		}
	}
	// The dashboard's sign-in callback (internal/signin).
	if cb, _ := app["callback_urls"].([]any); len(cb) != 1 || !strings.HasPrefix(fmt.Sprint(cb[0]), "https://") || !strings.HasSuffix(fmt.Sprint(cb[0]), "/dashboard/auth/callback") {
		t.Errorf("callback_urls = %v, want one https URL ending in /dashboard/auth/callback", app["callback_urls"])
	}
	if s, _ := get(t, app, "hook_attributes.url").(string); !strings.HasSuffix(s, "/api/github/hook") {
		t.Errorf("hook_attributes.url = %q, want it to end in /api/github/hook", s)
	}
	if get(t, app, "hook_attributes.active") != true {
		t.Error("hook_attributes.active must be true")
	}
	if app["public"] != false {
		t.Error("public must be false")
	}

	perms := map[string]string{}
	for k, v := range get(t, app, "default_permissions").(m) {
		perms[k] = fmt.Sprint(v)
	}
	wantPerms := map[string]string{
		"metadata": "read", "contents": "read", "checks": "write", "issues": "write",
		"pull_requests": "read", "administration": "read", "members": "read", "merge_queues": "read",
	}
	if fmt.Sprint(perms) != fmt.Sprint(wantPerms) {
		t.Errorf("default_permissions = %v, want %v", perms, wantPerms)
	}

	// Each event, and the permission GitHub requires before an App may subscribe to it.
	needs := map[string]string{
		"repository": "metadata", "pull_request": "pull_requests", "pull_request_review": "pull_requests",
		"issue_comment": "issues", "check_run": "checks", "check_suite": "checks", "merge_group": "merge_queues", "push": "contents",
		"member": "members", "membership": "members", "team": "members",
	}
	var events []string
	for _, e := range get(t, app, "default_events").([]any) {
		events = append(events, fmt.Sprint(e))
	}
	for _, e := range events {
		switch p, ok := needs[e]; {
		case e == "installation" || e == "installation_repositories":
			t.Errorf("default_events lists %q: GitHub sends it to every App and rejects it here", e)
		case !ok:
			t.Errorf("default_events lists %q, which ospo-bot does not subscribe to", e)
		case perms[p] == "":
			t.Errorf("event %q needs the %s permission", e, p)
		}
	}
	for e := range needs {
		if !slices.Contains(events, e) {
			t.Errorf("default_events lacks %q", e)
		}
	}
	if len(events) != len(needs) {
		t.Errorf("default_events has %d entries (duplicates?), want %d", len(events), len(needs))
	}
}

func TestCompose(t *testing.T) {
	c := readYAML(t, "compose.yaml")
	bot := "services.ospo-bot."
	eq(t, c, bot+"build.context", "..")
	eq(t, c, bot+"build.dockerfile", "Dockerfile")
	if _, err := os.Stat(filepath.Join("..", "Dockerfile")); err != nil {
		t.Errorf("build context has no Dockerfile: %v", err)
	}
	if files := get(t, c, bot+"env_file").([]any); !slices.Contains(files, any(".env")) {
		t.Errorf("env_file = %v, want .env", files)
	}
	eq(t, c, bot+"depends_on.postgres.condition", "service_healthy")
	dbURL := fmt.Sprint(get(t, c, bot+"environment.OSPO_DATABASE_URL"))
	if !strings.HasPrefix(dbURL, "postgres://ospo:") || !strings.Contains(dbURL, "@postgres:5432/ospo") {
		t.Errorf("OSPO_DATABASE_URL = %q, want postgres://ospo:...@postgres:5432/ospo", dbURL)
	}
	eq(t, c, bot+"environment.OSPO_LISTEN", "0.0.0.0:8080")
	eq(t, c, bot+"environment.OSPO_GITHUB_PRIVATE_KEY_FILE", "/run/secrets/github-private-key")
	eq(t, c, "secrets.github-private-key.file", "./ospo-bot.pem")
	grace, err := time.ParseDuration(fmt.Sprint(get(t, c, bot+"stop_grace_period")))
	if err != nil || grace <= config.Default().ShutdownTimeout {
		t.Errorf("stop_grace_period %v must exceed the default shutdown_timeout %v", grace, config.Default().ShutdownTimeout)
	}

	eq(t, c, "services.postgres.image", "postgres:16")
	eq(t, c, "services.postgres.environment.POSTGRES_USER", "ospo")
	eq(t, c, "services.postgres.environment.POSTGRES_DB", "ospo")
	if hc := fmt.Sprint(get(t, c, "services.postgres.healthcheck.test")); !strings.Contains(hc, "pg_isready") {
		t.Errorf("postgres healthcheck = %s, want pg_isready", hc)
	}
	vols := get(t, c, "services.postgres.volumes").([]any)
	if !slices.Contains(vols, any("postgres-data:/var/lib/postgresql/data")) {
		t.Errorf("postgres volumes = %v, want postgres-data:/var/lib/postgresql/data", vols)
	}
	if _, ok := get(t, c, "volumes").(m)["postgres-data"]; !ok {
		t.Error("volume postgres-data is not declared")
	}
}

// --- Rendering the chart without helm ---------------------------------------

const chartDir = "helm/ospo-bot"

// funcs are the Sprig/Helm functions the templates may use. A template that
// calls any other fails to parse, and so this test.
func funcs(tpl **template.Template) template.FuncMap {
	return template.FuncMap{
		"include": func(name string, data any) (string, error) {
			var b bytes.Buffer
			err := (*tpl).ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"required": func(msg string, v any) (any, error) {
			if v == nil || v == "" {
				return nil, fmt.Errorf("%s", msg)
			}
			return v, nil
		},
		"default": func(def any, given ...any) any {
			if len(given) == 0 || empty(given[0]) {
				return def
			}
			return given[0]
		},
		"toYaml": func(v any) (string, error) {
			var b bytes.Buffer
			enc := yaml.NewEncoder(&b)
			enc.SetIndent(2)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSuffix(b.String(), "\n"), nil
		},
		// Sprig's int64 (cast.ToInt64): numbers and numeric strings.
		"int64": func(v any) (int64, error) {
			switch x := v.(type) {
			case int:
				return int64(x), nil
			case int64:
				return x, nil
			case float64:
				return int64(x), nil
			case string:
				var n int64
				_, err := fmt.Sscan(x, &n)
				return n, err
			}
			return 0, fmt.Errorf("int64: %T %v", v, v)
		},
		"quote": func(v any) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
		"indent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"nindent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return "\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"trunc": func(n int, s string) string {
			if len(s) > n {
				return s[:n]
			}
			return s
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"sha256sum": func(s string) string {
			h := sha256.Sum256([]byte(s))
			return hex.EncodeToString(h[:])
		},
	}
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case int:
		return x == 0
	case float64:
		return x == 0
	case m:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// merge overlays src on dst, mapping by mapping, as helm --set does.
func merge(dst, src m) m {
	out := m{}
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if sv, ok := v.(m); ok {
			if dv, ok := out[k].(m); ok {
				out[k] = merge(dv, sv)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// render renders every template of the chart with values.yaml overlaid by
// set, as `helm template RELEASE` would, and returns the output by file name.
func render(t *testing.T, release string, set m) (map[string]string, error) {
	t.Helper()
	chart := readYAML(t, filepath.Join(chartDir, "Chart.yaml"))
	values := merge(readYAML(t, filepath.Join(chartDir, "values.yaml")), set)

	var tpl *template.Template
	tpl = template.New("chart").Funcs(funcs(&tpl)).Option("missingkey=zero")
	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := "ospo-bot/templates/" + filepath.Base(f)
		if _, err := tpl.New(name).Parse(string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.HasPrefix(filepath.Base(f), "_") {
			names = append(names, name)
		}
	}
	out := map[string]string{}
	for _, name := range names {
		data := m{
			"Values": values,
			"Release": m{"Name": release, "Namespace": "ospo", "Service": "Helm",
				"IsInstall": true, "IsUpgrade": false},
			"Chart": m{"Name": chart["name"], "Version": chart["version"],
				"AppVersion": chart["appVersion"]},
			"Template": m{"Name": name, "BasePath": "ospo-bot/templates"},
		}
		var b bytes.Buffer
		if err := tpl.ExecuteTemplate(&b, name, data); err != nil {
			return nil, err
		}
		out[filepath.Base(name)] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return out, nil
}

// manifests parses the rendered YAML files into objects by kind.
func manifests(t *testing.T, rendered map[string]string) map[string]m {
	t.Helper()
	objs := map[string]m{}
	for name, text := range rendered {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(text))
		for {
			var o m
			err := dec.Decode(&o)
			if err != nil {
				if err.Error() == "EOF" {
					break
				}
				t.Fatalf("%s does not parse: %v\n%s", name, err, text)
			}
			if o == nil {
				continue
			}
			kind := fmt.Sprint(o["kind"])
			if _, dup := objs[kind]; dup {
				t.Fatalf("two %s objects", kind)
			}
			objs[kind] = o
		}
	}
	return objs
}

var testValues = m{
	"github":   m{"appId": 123456, "existingSecret": "ospo-bot-github"},
	"database": m{"existingSecret": "ospo-bot-db"},
}

func TestChartRequiresSecrets(t *testing.T) {
	for _, tc := range []struct {
		set  m
		want string
	}{
		{m{"github": m{"existingSecret": "g"}, "database": m{"existingSecret": "d"}}, "github.appId is required"},
		{m{"github": m{"appId": 1}, "database": m{"existingSecret": "d"}}, "github.existingSecret is required"},
		{m{"github": m{"appId": 1, "existingSecret": "g"}}, "database.existingSecret is required"},
	} {
		_, err := render(t, "ospo", tc.set)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("render with %v: error %v, want %q", tc.set, err, tc.want)
		}
	}
}

func TestChart(t *testing.T) {
	chart := readYAML(t, filepath.Join(chartDir, "Chart.yaml"))
	eq(t, chart, "apiVersion", "v2")
	eq(t, chart, "name", "ospo-bot")

	rendered, err := render(t, "ospo", testValues)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() { // go test -v ./deploy/ -run 'TestChart$' shows the output
		for _, name := range []string{"configmap.yaml", "deployment.yaml", "service.yaml", "NOTES.txt"} {
			t.Logf("--- %s\n%s", name, rendered[name])
		}
	}
	if !strings.Contains(rendered["NOTES.txt"], "/api/github/hook") {
		t.Errorf("NOTES.txt does not mention the webhook path:\n%s", rendered["NOTES.txt"])
	}
	objs := manifests(t, rendered)
	for _, kind := range []string{"Deployment", "Service", "ConfigMap"} {
		if objs[kind] == nil {
			t.Fatalf("no %s rendered; have %v", kind, objs)
		}
		eq(t, objs[kind], "metadata.name", "ospo-ospo-bot")
	}
	dep, svc, cm := objs["Deployment"], objs["Service"], objs["ConfigMap"]

	eq(t, dep, "apiVersion", "apps/v1")
	eq(t, dep, "spec.replicas", 2)
	selector := get(t, dep, "spec.selector.matchLabels").(m)
	podLabels := get(t, dep, "spec.template.metadata.labels").(m)
	if len(selector) == 0 || fmt.Sprint(selector) != fmt.Sprint(podLabels) {
		t.Errorf("selector %v does not match pod labels %v", selector, podLabels)
	}
	if ann := fmt.Sprint(get(t, dep, "spec.template.metadata.annotations.checksum/config")); len(ann) != 64 {
		t.Errorf("checksum/config = %q, want a sha256", ann)
	}

	pod := get(t, dep, "spec.template.spec").(m)
	eq(t, pod, "automountServiceAccountToken", false)
	eq(t, pod, "securityContext.runAsNonRoot", true)
	eq(t, pod, "securityContext.runAsUser", 65532)
	eq(t, pod, "securityContext.fsGroup", 65532)

	ctr := get(t, pod, "containers.0").(m)
	eq(t, ctr, "image", "ghcr.io/ospo-bot/ospo-bot:dev")
	eq(t, ctr, "args", []any{"--config", "/etc/ospo-bot/ospo-bot.yml"})
	eq(t, ctr, "ports.0.name", "http")
	eq(t, ctr, "ports.0.containerPort", 8080)
	eq(t, ctr, "livenessProbe.httpGet.path", "/healthz")
	eq(t, ctr, "livenessProbe.httpGet.port", "http")
	eq(t, ctr, "readinessProbe.httpGet.path", "/readyz")
	eq(t, ctr, "readinessProbe.httpGet.port", "http")
	eq(t, ctr, "startupProbe.httpGet.path", "/healthz")
	eq(t, ctr, "securityContext.runAsNonRoot", true)
	eq(t, ctr, "securityContext.runAsUser", 65532)
	eq(t, ctr, "securityContext.readOnlyRootFilesystem", true)
	eq(t, ctr, "securityContext.allowPrivilegeEscalation", false)
	eq(t, ctr, "securityContext.capabilities.drop", []any{"ALL"})
	eq(t, ctr, "resources.requests.cpu", "100m")
	eq(t, ctr, "resources.requests.memory", "128Mi")
	eq(t, ctr, "resources.limits.memory", "512Mi")

	env := map[string]m{}
	for _, e := range get(t, ctr, "env").([]any) {
		env[fmt.Sprint(e.(m)["name"])] = e.(m)
	}
	for _, name := range []string{"OSPO_LISTEN", "OSPO_DATABASE_URL", "OSPO_GITHUB_APP_ID", "OSPO_GITHUB_PRIVATE_KEY_FILE", "OSPO_GITHUB_WEBHOOK_SECRET"} {
		if env[name] == nil {
			t.Fatalf("env %s is missing; have %v", name, env)
		}
	}
	eq(t, env["OSPO_LISTEN"], "value", "0.0.0.0:8080")
	eq(t, env["OSPO_GITHUB_APP_ID"], "value", "123456")
	if _, isString := env["OSPO_GITHUB_APP_ID"]["value"].(string); !isString {
		t.Error("OSPO_GITHUB_APP_ID must render as a string (Kubernetes rejects a number)")
	}
	// A restarted container (OOM-killed, crashed) keeps its pod's name, so
	// it runs at once the jobs its previous process left running.
	eq(t, env["OSPO_REPLICA_ID"], "valueFrom.fieldRef.fieldPath", "metadata.name")
	eq(t, env["OSPO_DATABASE_URL"], "valueFrom.secretKeyRef.name", "ospo-bot-db")
	eq(t, env["OSPO_DATABASE_URL"], "valueFrom.secretKeyRef.key", "url")
	eq(t, env["OSPO_GITHUB_WEBHOOK_SECRET"], "valueFrom.secretKeyRef.name", "ospo-bot-github")
	eq(t, env["OSPO_GITHUB_WEBHOOK_SECRET"], "valueFrom.secretKeyRef.key", "webhook-secret")

	// The private key file is in the mounted Secret, the config file in the ConfigMap.
	mounts := map[string]string{}
	for _, vm := range get(t, ctr, "volumeMounts").([]any) {
		mounts[fmt.Sprint(vm.(m)["name"])] = fmt.Sprint(vm.(m)["mountPath"])
	}
	vols := map[string]m{}
	for _, v := range get(t, pod, "volumes").([]any) {
		vols[fmt.Sprint(v.(m)["name"])] = v.(m)
	}
	keyFile := fmt.Sprint(env["OSPO_GITHUB_PRIVATE_KEY_FILE"]["value"])
	if keyFile != mounts["github"]+"/private-key.pem" {
		t.Errorf("OSPO_GITHUB_PRIVATE_KEY_FILE = %s, but the github volume is mounted at %q", keyFile, mounts["github"])
	}
	eq(t, vols["github"], "secret.secretName", "ospo-bot-github")
	eq(t, vols["github"], "secret.items.0.key", "private-key.pem")
	eq(t, vols["github"], "secret.items.0.path", "private-key.pem")
	if mounts["config"] != "/etc/ospo-bot" {
		t.Errorf("config volume mounted at %q, want /etc/ospo-bot", mounts["config"])
	}
	eq(t, vols["config"], "configMap.name", get(t, cm, "metadata.name"))
	if _, ok := mounts["tmp"]; !ok || vols["tmp"]["emptyDir"] == nil {
		t.Error("want a writable emptyDir at /tmp (the root filesystem is read-only)")
	}

	// The config file is one the server accepts (strict: unknown keys fail).
	cfgText, _ := get(t, cm, "data").(m)["ospo-bot.yml"].(string)
	cfgPath := filepath.Join(t.TempDir(), "ospo-bot.yml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("the ConfigMap's config file does not load: %v\n%s", err, cfgText)
	}
	if cfg.ShutdownTimeout != 30*time.Second || cfg.Workers != 50 {
		t.Errorf("config: shutdown_timeout %v, workers %d; want 30s, 50", cfg.ShutdownTimeout, cfg.Workers)
	}

	// Kubernetes kills the pod after the grace period, which covers the
	// preStop sleep and then the server's shutdown_timeout.
	grace := time.Duration(get(t, pod, "terminationGracePeriodSeconds").(int)) * time.Second
	sleep := time.Duration(get(t, ctr, "lifecycle.preStop.sleep.seconds").(int)) * time.Second
	if grace <= sleep+cfg.ShutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %v must exceed preStop %v + shutdown_timeout %v", grace, sleep, cfg.ShutdownTimeout)
	}

	eq(t, svc, "spec.type", "ClusterIP")
	eq(t, svc, "spec.ports.0.port", 80)
	eq(t, svc, "spec.ports.0.targetPort", "http")
	if fmt.Sprint(get(t, svc, "spec.selector")) != fmt.Sprint(selector) {
		t.Errorf("Service selector %v does not match the Deployment's %v", get(t, svc, "spec.selector"), selector)
	}
}

// helm reads numbers in values files as float64 (sigs.k8s.io/yaml via JSON),
// --set as int64, and a quoted App ID as a string: all render the same.
func TestChartAppID(t *testing.T) {
	for _, id := range []any{float64(1234567), int64(1234567), "1234567"} {
		set := merge(testValues, m{"github": m{"appId": id}})
		rendered, err := render(t, "ospo", set)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rendered["deployment.yaml"], "value: \"1234567\"\n") {
			t.Errorf("appId %T %v does not render as \"1234567\"", id, id)
		}
	}
}

// A release whose name already contains the chart's is not doubled, and
// names stay within Kubernetes' 63 characters.
func TestChartNames(t *testing.T) {
	for release, want := range map[string]string{
		"ospo-bot":              "ospo-bot",
		"prod-ospo-bot":         "prod-ospo-bot",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		rendered, err := render(t, release, testValues)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, manifests(t, rendered)["Deployment"], "metadata.name", want)
	}
}

// TestChartMatchesHelm renders the chart with the real helm, where one is
// installed (on PATH, or OSPO_HELM), and requires `helm lint` to pass and
// every object to equal what render makes of it, so the test's renderer
// cannot drift from Helm's. Install one with
// `go install helm.sh/helm/v3/cmd/helm@v3.22.0`.
func TestChartMatchesHelm(t *testing.T) {
	helm := os.Getenv("OSPO_HELM")
	if helm == "" {
		var err error
		if helm, err = exec.LookPath("helm"); err != nil {
			t.Skip("no helm on PATH (or OSPO_HELM): render alone checks the chart")
		}
	}
	args := []string{"--set", "github.appId=123456", "--set", "github.existingSecret=ospo-bot-github", "--set", "database.existingSecret=ospo-bot-db"}
	if out, err := exec.Command(helm, append([]string{"lint", "--strict", chartDir}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
	out, err := exec.Command(helm, append([]string{"template", "ospo", chartDir, "--namespace", "ospo", "--kube-version", "1.30.0"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("helm template: %v\n%s", err, out)
	}
	theirs := manifests(t, map[string]string{"helm.yaml": string(out)})
	rendered, err := render(t, "ospo", testValues)
	if err != nil {
		t.Fatal(err)
	}
	ours := manifests(t, rendered)
	if len(theirs) != len(ours) {
		t.Errorf("helm renders %d kinds, render %d", len(theirs), len(ours))
	}
	for kind, o := range ours {
		a, _ := json.Marshal(o)
		b, _ := json.Marshal(theirs[kind])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from helm's:\nrender: %s\nhelm:   %s", kind, a, b)
		}
	}
}

// TestComposeLoads loads the Compose file with compose-go, the loader of
// `docker compose` itself (schema, interpolation, env_file), as an admin
// would run it: deploy/.env copied from .env.example. The resulting
// environment must be a configuration ospo-bot accepts, and a missing
// POSTGRES_PASSWORD must stop Compose with a message naming it.
func TestComposeLoads(t *testing.T) {
	load := func(env string) (*types.Project, error) {
		dir := t.TempDir()
		for name, data := range map[string]string{"compose.yaml": string(mustRead(t, "compose.yaml")), ".env": env} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "compose.yaml")},
			cli.WithWorkingDirectory(dir), cli.WithEnvFiles(filepath.Join(dir, ".env")), cli.WithDotEnv)
		if err != nil {
			return nil, err
		}
		return opts.LoadProject(context.Background())
	}
	example := string(mustRead(t, ".env.example"))
	p, err := load(example)
	if err != nil {
		t.Fatalf("docker compose would refuse compose.yaml with .env from .env.example: %v", err)
	}
	bot, err := p.GetService("ospo-bot")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for k, v := range bot.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	if env["OSPO_DATABASE_URL"] != "postgres://ospo:replace-with-letters-and-digits@postgres:5432/ospo?sslmode=disable" ||
		env["OSPO_GITHUB_APP_ID"] != "123456" {
		t.Errorf("ospo-bot's environment: %v", env)
	}
	// The key file is a Compose secret, present only in the container.
	key := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(key, fakeapp.KeyPEM(), 0o600)
	env["OSPO_GITHUB_PRIVATE_KEY_FILE"] = key
	if _, err := config.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Errorf("ospo-bot refuses the environment Compose gives it: %v", err)
	}

	_, err = load(strings.ReplaceAll(example, "POSTGRES_PASSWORD=", "#"))
	if err == nil || !strings.Contains(err.Error(), "set POSTGRES_PASSWORD in deploy/.env") {
		t.Errorf("without POSTGRES_PASSWORD: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestChartDashboard: the dashboard's sign-in is off unless
// dashboard.clientId is set; then its client secret comes from the
// github Secret's key client-secret, and the public URL is required.
func TestChartDashboard(t *testing.T) {
	envOf := func(set m) (map[string]m, error) {
		rendered, err := render(t, "ospo", merge(testValues, set))
		if err != nil {
			return nil, err
		}
		dep := manifests(t, rendered)["Deployment"]
		env := map[string]m{}
		for _, e := range get(t, dep, "spec.template.spec.containers.0.env").([]any) {
			env[fmt.Sprint(e.(m)["name"])] = e.(m)
		}
		return env, nil
	}
	env, err := envOf(m{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"OSPO_GITHUB_CLIENT_ID", "OSPO_GITHUB_CLIENT_SECRET", "OSPO_PUBLIC_URL"} {
		if env[name] != nil {
			t.Errorf("%s is set without dashboard.clientId", name)
		}
	}
	if _, err := envOf(m{"dashboard": m{"clientId": "Iv23abc"}}); err == nil || !strings.Contains(err.Error(), "dashboard.publicUrl is required") {
		t.Errorf("a client ID without the public URL: %v", err)
	}
	env, err = envOf(m{"dashboard": m{"clientId": "Iv23abc", "publicUrl": "https://ospo.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, env["OSPO_GITHUB_CLIENT_ID"], "value", "Iv23abc")
	eq(t, env["OSPO_PUBLIC_URL"], "value", "https://ospo.example.com")
	eq(t, env["OSPO_GITHUB_CLIENT_SECRET"], "valueFrom.secretKeyRef.name", "ospo-bot-github")
	eq(t, env["OSPO_GITHUB_CLIENT_SECRET"], "valueFrom.secretKeyRef.key", "client-secret")
}
