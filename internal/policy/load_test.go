package policy

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// fakeOrg starts a fake GitHub with the org acme, the app installed on it,
// and the given repositories (name → files), and returns the product's
// client for the installation.
func fakeOrg(t *testing.T, repos map[string]map[string]string) (*githubfake.Fake, *github.Client) {
	t.Helper()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	for name, files := range repos {
		if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: name, Files: files}); err != nil {
			t.Fatal(err)
		}
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	return f, app.Installation(t, inst.ID)
}

// treeSHA is a tree read by its SHA.
var treeSHA = regexp.MustCompile(`/git/trees/[0-9a-f]{40}$`)

// forgetOverrides empties what overridePresent remembers of .github trees.
func forgetOverrides() {
	overrideKnown.Lock()
	defer overrideKnown.Unlock()
	overrideKnown.m = map[string]bool{}
}

// apiCalls counts the requests Load made, leaving out the installation
// token (fetched once per client, whatever the calls).
func apiCalls(f *githubfake.Fake) (n int, routes []string) {
	for _, r := range f.Requests() {
		if r.Route != "/app/installations/{installation_id}/access_tokens" {
			n++
			routes = append(routes, r.Method+" "+treeSHA.ReplaceAllString(r.Path, "/git/trees/{sha}"))
		}
	}
	slices.Sort(routes)
	return n, routes
}

const (
	orgPolicy = `locked: [repository.license.allowed]
review:
  repository: acme/ospo
repository:
  license:
    mode: enforce
    allowed: [Apache-2.0]
  files: {mode: enforce}
`
	repoOverride = `# widget's override
repository:
  license:
    allowed: [MIT]
  files:
    required: [README]
`
)

func TestPolicyLoad(t *testing.T) {
	widget := map[string]string{"README.md": "# widget\n", ".github/ospo.yml": repoOverride}
	plain := map[string]string{"README.md": "# plain\n"}
	tests := []struct {
		name     string
		repos    map[string]map[string]string
		repo     string
		calls    []string
		version  string
		sources  []Source
		check    func(Policy) bool
		notices  []string
		ruleURLs map[string]string
	}{
		{
			name:    "org file only",
			repos:   map[string]map[string]string{".github": {"ospo.yml": orgPolicy}, "plain": plain},
			repo:    "plain",
			calls:   []string{"GET /repos/acme/.github", "GET /repos/acme/.github/contents/ospo.yml", "GET /repos/acme/plain", "GET /repos/acme/plain/git/trees/main"},
			version: "acme/.github:ospo.yml@" + BlobSHA([]byte(orgPolicy))[:12],
			sources: []Source{{Repo: "acme/.github", Path: "ospo.yml", Ref: "main", SHA: BlobSHA([]byte(orgPolicy))}},
			check: func(p Policy) bool {
				return p.Review.Repository == "acme/ospo" && slices.Equal(p.Repository.License.Allowed, []string{"Apache-2.0"}) &&
					p.Repository.Files.Mode == Enforce && len(p.Repository.Files.Required) == 4 && p.Repository.Codeowners.Mode == Warn
			},
			ruleURLs: map[string]string{
				"license":    "https://github.com/acme/.github/blob/main/ospo.yml#L5",
				"codeowners": ReferenceURL,
			},
		},
		{
			name:    "org file and override",
			repos:   map[string]map[string]string{".github": {"ospo.yml": orgPolicy}, "widget": widget},
			repo:    "widget",
			calls:   []string{"GET /repos/acme/.github", "GET /repos/acme/.github/contents/ospo.yml", "GET /repos/acme/widget", "GET /repos/acme/widget/contents/.github/ospo.yml", "GET /repos/acme/widget/git/trees/main", "GET /repos/acme/widget/git/trees/{sha}"},
			version: "acme/.github:ospo.yml@" + BlobSHA([]byte(orgPolicy))[:12] + "+acme/widget:.github/ospo.yml@" + BlobSHA([]byte(repoOverride))[:12],
			sources: []Source{
				{Repo: "acme/.github", Path: "ospo.yml", Ref: "main", SHA: BlobSHA([]byte(orgPolicy))},
				{Repo: "acme/widget", Path: ".github/ospo.yml", SHA: BlobSHA([]byte(repoOverride))},
			},
			check: func(p Policy) bool {
				return slices.Equal(p.Repository.License.Allowed, []string{"Apache-2.0"}) &&
					p.Repository.Files.Mode == Enforce && slices.Equal(p.Repository.Files.Required, []string{"README"})
			},
			notices: []string{".github/ospo.yml:4:5: repository.license.allowed is locked by the org policy; the org's value applies"},
			ruleURLs: map[string]string{
				"files":   "https://github.com/acme/widget/blob/HEAD/.github/ospo.yml#L5",
				"license": "https://github.com/acme/.github/blob/main/ospo.yml#L5",
			},
		},
		{
			name:     "no files at all",
			repos:    map[string]map[string]string{"plain": plain},
			repo:     "plain",
			calls:    []string{"GET /repos/acme/.github", "GET /repos/acme/plain", "GET /repos/acme/plain/git/trees/main"},
			version:  "defaults",
			check:    func(p Policy) bool { return reflect.DeepEqual(p, Defaults()) },
			notices:  []string{"acme/.github:ospo.yml: no org policy found; the defaults apply (if the file exists, install the app on acme/.github)"},
			ruleURLs: map[string]string{"license": ReferenceURL},
		},
		{
			name:    "a .github repository without ospo.yml, and an override",
			repos:   map[string]map[string]string{".github": {"SECURITY.md": "x\n"}, "widget": widget},
			repo:    "widget",
			calls:   []string{"GET /repos/acme/.github", "GET /repos/acme/.github/contents/ospo.yml", "GET /repos/acme/widget", "GET /repos/acme/widget/contents/.github/ospo.yml", "GET /repos/acme/widget/git/trees/main", "GET /repos/acme/widget/git/trees/{sha}"},
			version: "acme/widget:.github/ospo.yml@" + BlobSHA([]byte(repoOverride))[:12],
			sources: []Source{{Repo: "acme/widget", Path: ".github/ospo.yml", SHA: BlobSHA([]byte(repoOverride))}},
			check: func(p Policy) bool {
				return slices.Equal(p.Repository.License.Allowed, []string{"MIT"}) && p.Repository.Files.Mode == Warn
			},
			notices: []string{"acme/.github:ospo.yml: no org policy found; the defaults apply (if the file exists, install the app on acme/.github)"},
		},
		{
			name: "org file as a remote reference",
			repos: map[string]map[string]string{
				".github":  {"ospo.yml": "remote: acme/policies\npath: policy/ospo.yml\n"},
				"policies": {"policy/ospo.yml": orgPolicy},
				"plain":    plain,
			},
			repo: "plain",
			calls: []string{"GET /repos/acme/.github", "GET /repos/acme/.github/contents/ospo.yml", "GET /repos/acme/plain", "GET /repos/acme/plain/git/trees/main",
				"GET /repos/acme/policies", "GET /repos/acme/policies/contents/policy/ospo.yml"},
			version:  "acme/policies:policy/ospo.yml@" + BlobSHA([]byte(orgPolicy))[:12],
			sources:  []Source{{Repo: "acme/policies", Path: "policy/ospo.yml", Ref: "main", SHA: BlobSHA([]byte(orgPolicy))}},
			check:    func(p Policy) bool { return p.Review.Repository == "acme/ospo" },
			ruleURLs: map[string]string{"license": "https://github.com/acme/policies/blob/main/policy/ospo.yml#L5"},
		},
		{
			name: "overrides not allowed: a broken override is ignored, not an error",
			repos: map[string]map[string]string{
				".github": {"ospo.yml": "allow_repo_override: false\n"},
				"widget":  {".github/ospo.yml": "repository:\n  license: {mode: sometimes}\n"},
			},
			repo:    "widget",
			calls:   []string{"GET /repos/acme/.github", "GET /repos/acme/.github/contents/ospo.yml", "GET /repos/acme/widget", "GET /repos/acme/widget/contents/.github/ospo.yml", "GET /repos/acme/widget/git/trees/main", "GET /repos/acme/widget/git/trees/{sha}"},
			version: "acme/.github:ospo.yml@" + BlobSHA([]byte("allow_repo_override: false\n"))[:12],
			sources: []Source{{Repo: "acme/.github", Path: "ospo.yml", Ref: "main", SHA: BlobSHA([]byte("allow_repo_override: false\n"))}},
			check:   func(p Policy) bool { return p.Repository.License.Mode == Enforce },
			notices: []string{".github/ospo.yml: this override is ignored: the org policy sets allow_repo_override: false (it also has 1 problem)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forgetOverrides()
			forgetOrgBranches()
			f, client := fakeOrg(t, tt.repos)
			e, err := Load(context.Background(), client, "acme", tt.repo)
			if err != nil {
				t.Fatal(err)
			}
			if n, routes := apiCalls(f); !slices.Equal(routes, tt.calls) {
				t.Errorf("%d API calls:\n  %s\nwant %d:\n  %s", n, strings.Join(routes, "\n  "), len(tt.calls), strings.Join(tt.calls, "\n  "))
			}
			if e.Version != tt.version {
				t.Errorf("Version %q, want %q", e.Version, tt.version)
			}
			if !slices.Equal(e.Sources, tt.sources) {
				t.Errorf("Sources %+v, want %+v", e.Sources, tt.sources)
			}
			if !tt.check(e.Policy) {
				t.Errorf("policy %+v", e.Policy)
			}
			var ns []string
			for _, n := range e.Notices {
				ns = append(ns, n.String())
			}
			if !slices.Equal(ns, tt.notices) {
				t.Errorf("notices\n  %s\nwant\n  %s", strings.Join(ns, "\n  "), strings.Join(tt.notices, "\n  "))
			}
			for rule, want := range tt.ruleURLs {
				if got := e.RuleURL("https://github.com", rule); got != want {
					t.Errorf("RuleURL(%s) = %s, want %s", rule, got, want)
				}
			}
		})
	}
}

func TestPolicyLoadInvalid(t *testing.T) {
	badOrg := "repository:\n  license:\n    mode: strict\n  licence: {}\n"
	badRepo := "locked: [review]\n"
	tests := []struct {
		name  string
		repos map[string]map[string]string
		want  []string // InvalidError.Error() lines
		src   Source
		org   bool
	}{
		{"invalid org file", map[string]map[string]string{".github": {"ospo.yml": badOrg}, "widget": {".github/ospo.yml": repoOverride}},
			[]string{
				"invalid policy file acme/.github:ospo.yml@main (2 problems):",
				`acme/.github:ospo.yml:3:11: repository.license.mode: "strict" is not a mode; use off, warn or enforce`,
				`acme/.github:ospo.yml:4:3: unknown key "licence" in repository (did you mean "license"?)`,
			}, Source{Repo: "acme/.github", Path: "ospo.yml", Ref: "main", SHA: BlobSHA([]byte(badOrg))}, true},
		{"invalid override", map[string]map[string]string{".github": {"ospo.yml": orgPolicy}, "widget": {".github/ospo.yml": badRepo}},
			[]string{
				"invalid policy file acme/widget:.github/ospo.yml (1 problem):",
				".github/ospo.yml:1:1: only the org's ospo.yml may set locked; remove it from this repository override",
			}, Source{Repo: "acme/widget", Path: ".github/ospo.yml", SHA: BlobSHA([]byte(badRepo))}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, client := fakeOrg(t, tt.repos)
			e, err := Load(context.Background(), client, "acme", "widget")
			var ie *InvalidError
			if !errors.As(err, &ie) || e != nil {
				t.Fatalf("Load = %+v, %v; want an *InvalidError and no policy", e, err)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tt.want) {
				t.Errorf("error\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if ie.Source != tt.src {
				t.Errorf("Source %+v, want %+v", ie.Source, tt.src)
			}
			if ie.Org != tt.org {
				t.Errorf("Org %v, want %v", ie.Org, tt.org)
			}
			if w := ie.WithoutOverride; tt.org && w != nil || !tt.org && (w == nil ||
				w.Version != "acme/.github:ospo.yml@"+BlobSHA([]byte(orgPolicy))[:12] || !slices.Equal(w.Policy.Repository.License.Allowed, []string{"Apache-2.0"})) {
				t.Errorf("WithoutOverride %+v", w)
			}
		})
	}

	// Both broken: both reported.
	_, client := fakeOrg(t, map[string]map[string]string{".github": {"ospo.yml": badOrg}, "widget": {".github/ospo.yml": badRepo}})
	_, err := Load(context.Background(), client, "acme", "widget")
	if msg := err.Error(); !strings.Contains(msg, "acme/.github:ospo.yml:3:11: ") || !strings.Contains(msg, ".github/ospo.yml:1:1: ") {
		t.Errorf("both files invalid: %v", err)
	}
	if ie := (*InvalidError)(nil); !errors.As(err, &ie) || !ie.Org {
		t.Errorf("both files invalid: errors.As finds %+v, want the org's error", ie)
	}
}

// TestPolicyLoadAPIError: a failing API is an error, never the defaults.
func TestPolicyLoadAPIError(t *testing.T) {
	f, client := fakeOrg(t, map[string]map[string]string{".github": {"ospo.yml": orgPolicy}, "plain": {"README.md": "x\n"}})
	f.InjectFault(githubfake.Fault{Route: "/repos/acme/.github/contents/", Kind: githubfake.Status(500)})
	e, err := Load(context.Background(), client, "acme", "plain")
	if err == nil || e != nil {
		t.Fatalf("Load = %+v, %v; want an error", e, err)
	}
}

// TestOverrideAbsenceCostsNothing: a repository without an override is
// not asked for one (GitHub would answer 404, which carries no ETag and
// counts against the rate limit on every check): its tree says so, and a
// second load is answered 304 throughout. An override pushed later is
// read, and one removed is no longer.
func TestOverrideAbsenceCostsNothing(t *testing.T) {
	forgetOverrides()
	f, client := fakeOrg(t, map[string]map[string]string{
		".github": {"ospo.yml": orgPolicy},
		"widget":  {"README.md": "# widget\n", ".github/workflows/ci.yml": "on: push\n"},
	})
	ctx := context.Background()
	counted := func() (n int, override bool) {
		for _, r := range f.Requests() {
			if strings.HasSuffix(r.Path, "/contents/.github/ospo.yml") {
				override = true
			}
			if !r.NotModified && r.Route != "/app/installations/{installation_id}/access_tokens" {
				n++
			}
		}
		return n, override
	}
	load := func() *Effective {
		t.Helper()
		f.Reset()
		e, err := LoadAt(ctx, client, "acme", "widget", "main")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := load(); len(e.Sources) != 1 {
		t.Fatalf("sources %+v", e.Sources)
	}
	if _, override := counted(); override {
		t.Error("the first load asked for an override the tree does not list")
	}
	load()
	if n, override := counted(); n != 0 || override {
		t.Errorf("a second load: %d requests counted, override asked for: %v; want 0, false", n, override)
	}
	for _, r := range f.Requests() {
		if treeSHA.MatchString(r.Path) {
			t.Errorf("a second load read the .github tree again (%s): it is known by its SHA", r.Path)
		}
	}

	if _, err := f.Push("acme", "widget", "main", githubfake.NewCommit{Message: "override",
		Files: map[string]string{".github/ospo.yml": repoOverride}}); err != nil {
		t.Fatal(err)
	}
	if e := load(); len(e.Sources) != 2 || e.Sources[1].Repo != "acme/widget" {
		t.Fatalf("the override pushed is not read: sources %+v", e.Sources)
	}
	if _, err := f.Push("acme", "widget", "main", githubfake.NewCommit{Message: "no override",
		Delete: []string{".github/ospo.yml"}}); err != nil {
		t.Fatal(err)
	}
	if e := load(); len(e.Sources) != 1 {
		t.Fatalf("the override removed is still read: sources %+v", e.Sources)
	}
	if _, override := counted(); override {
		t.Error("the load after the removal asked for the override")
	}
}

// overlap is a transport that holds a GET of the org's .github repository
// until the org policy's read has started too (or 5s have passed), and
// notes whether they were in flight together.
type overlap struct {
	next     http.RoundTripper
	contents chan struct{} // closed when the ospo.yml read starts
	once     sync.Once
	mu       sync.Mutex
	together bool
}

func (o *overlap) RoundTrip(r *http.Request) (*http.Response, error) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/repos/acme/.github/contents/ospo.yml"):
		o.once.Do(func() { close(o.contents) })
	case strings.HasSuffix(r.URL.Path, "/repos/acme/.github"):
		select {
		case <-o.contents:
			o.mu.Lock()
			o.together = true
			o.mu.Unlock()
		case <-time.After(5 * time.Second): // only when the reads are sequential
		}
	}
	return o.next.RoundTrip(r)
}

// TestOrgPolicyOneRoundTrip: once the .github repository's default branch
// is known, the org policy is read in one round trip (the repository and
// ospo.yml at once, both revalidated), not two in a row; a renamed default
// branch is still followed, and the Source names it.
func TestOrgPolicyOneRoundTrip(t *testing.T) {
	forgetOrgBranches()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	for name, files := range map[string]map[string]string{".github": {"ospo.yml": orgPolicy}, "plain": {"README.md": "x\n"}} {
		if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: name, Files: files}); err != nil {
			t.Fatal(err)
		}
	}
	// administration: write, to rename the default branch below.
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme",
		Permissions: map[string]string{"metadata": "read", "contents": "read", "administration": "write"}})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, inst.ID)
	ctx := context.Background()
	if _, err := Load(ctx, client, "acme", "plain"); err != nil {
		t.Fatal(err)
	}
	o := &overlap{next: client.Client().Transport, contents: make(chan struct{})}
	watched := github.NewClient(&http.Client{Transport: o})
	watched.BaseURL = client.BaseURL
	f.Reset()
	e, err := Load(ctx, watched, "acme", "plain")
	if err != nil {
		t.Fatal(err)
	}
	if !o.together {
		t.Error("the .github repository and ospo.yml were read one after the other")
	}
	if want := (Source{Repo: "acme/.github", Path: "ospo.yml", Ref: "main", SHA: BlobSHA([]byte(orgPolicy))}); !slices.Equal(e.Sources, []Source{want}) {
		t.Errorf("Sources %+v, want %+v", e.Sources, want)
	}
	if n := f.CountRequests(func(r githubfake.Request) bool { return !r.NotModified }); n != 0 {
		for _, r := range f.Requests() {
			t.Logf("%s %s %d", r.Method, r.Path, r.Status)
		}
		t.Errorf("a second load: %d requests counted", n)
	}

	// The default branch moves to trunk, whose ospo.yml differs.
	const trunkPolicy = "repository:\n  license: {mode: off}\n"
	if _, err := f.CreateBranch("acme", ".github", "trunk", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Push("acme", ".github", "trunk", githubfake.NewCommit{Message: "trunk policy", Files: map[string]string{"ospo.yml": trunkPolicy}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.Repositories.Edit(ctx, "acme", ".github", &github.Repository{DefaultBranch: github.String("trunk")}); err != nil {
		t.Fatal(err)
	}
	e, err = Load(ctx, client, "acme", "plain")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Source{Repo: "acme/.github", Path: "ospo.yml", Ref: "trunk", SHA: BlobSHA([]byte(trunkPolicy))}); !slices.Equal(e.Sources, []Source{want}) {
		t.Errorf("after the rename: Sources %+v, want %+v", e.Sources, want)
	}
	if e.Policy.Repository.License.Mode != Off {
		t.Errorf("after the rename: license mode %s, want off (trunk's ospo.yml)", e.Policy.Repository.License.Mode)
	}
}

// forgetOrgBranches empties what loadOrgConfig remembers of default branches.
func forgetOrgBranches() {
	orgBranches.Lock()
	defer orgBranches.Unlock()
	orgBranches.m = map[string]string{}
}
