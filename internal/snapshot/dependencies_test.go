package snapshot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/depsdev"
	"github.com/ospo-bot/ospo-bot/internal/depsdev/depsdevfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/manifest"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

const pkgJSONBase = `{
  "name": "widget",
  "dependencies": {
    "left-pad": "1.3.0"
  }
}
`

const pkgJSONHead = `{
  "name": "widget",
  "dependencies": {
    "left-pad": "1.3.1",
    "gpl-thing": "2.0.0",
    "mystery": "0.1.0"
  }
}
`

// depWorld is a repository with a package.json, a pull request that
// changes it (and README.md), and a fake deps.dev.
type depWorld struct {
	gh      *githubfake.Fake
	client  *github.Client
	depsdev *depsdevfake.Server
	lookup  LicenseLookup
	// tweak changes the snapshot before the dependencies are gathered.
	tweak func(*rules.PullRequest)
}

func newDepWorld(t *testing.T, private bool) *depWorld {
	t.Helper()
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Private: private, Files: map[string]string{
		"README.md": "# widget\n", "package.json": pkgJSONBase, "go.mod": "module example.com/widget\n\ngo 1.22\n",
	}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	dd := depsdevfake.New()
	t.Cleanup(dd.Close)
	return &depWorld{gh: gh, client: app.Installation(t, in.ID), depsdev: dd, lookup: depsdev.New(dd.URL(), nil)}
}

// open pushes files on a branch, opens a pull request of it, reads its
// changed files as PullRequest does, and gathers its dependencies; it
// says how many requests the dependencies cost, as the fake counted them.
func (w *depWorld) open(t *testing.T, branch string, files map[string]string) (*rules.PullRequest, DependencyCost, int) {
	t.Helper()
	ctx := context.Background()
	if _, err := w.gh.Push("acme", "widget", branch, githubfake.NewCommit{Message: branch, Files: files}); err != nil {
		t.Fatal(err)
	}
	p, err := w.gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: branch, User: "alice", Head: branch})
	if err != nil {
		t.Fatal(err)
	}
	pr, _, err := w.client.PullRequests.Get(ctx, "acme", "widget", p.Number)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := PullRequest(ctx, w.client, pr, protectedPathsOn)
	if err != nil {
		t.Fatal(err)
	}
	if w.tweak != nil {
		w.tweak(snap)
	}
	before := len(w.gh.Requests())
	cost, err := Dependencies(ctx, w.client, pr, snap, w.lookup)
	if err != nil {
		t.Fatal(err)
	}
	return snap, cost, len(w.gh.Requests()) - before
}

func show(d *rules.DependencyChanges) string {
	var b strings.Builder
	fmt.Fprintf(&b, "source=%s", d.Source)
	for _, a := range d.Added {
		fmt.Fprintf(&b, "\n%s %s@%s prev=%s %s:%d scope=%s license=%q from %s", a.Ecosystem, a.Name, a.Version, a.Previous, a.Manifest, a.Line, a.Scope, a.License, a.LicenseSource)
	}
	for _, u := range d.Unread {
		fmt.Fprintf(&b, "\nunread %s: %s", u.Path, u.Why)
	}
	return b.String()
}

// No manifest among the changed files: an empty list, no request.
func TestDependenciesNoManifestNoRequest(t *testing.T) {
	w := newDepWorld(t, false)
	snap, cost, n := w.open(t, "docs", map[string]string{"README.md": "# widget\nmore\n"})
	if n != 0 || cost.Requests() != 0 || snap.Dependencies == nil || len(snap.Dependencies.Added) != 0 {
		t.Fatalf("%d requests (%+v): %+v", n, cost, snap.Dependencies)
	}
}

// GitHub's dependency review gives the added and changed packages with
// its licences in one request; a package without one costs a read of its
// manifest's head (its line, then deps.dev), and nothing more.
func TestDependenciesFromDependencyReview(t *testing.T) {
	w := newDepWorld(t, false)
	w.gh.SetPackageLicense("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")
	w.gh.SetPackageLicense("pkg:npm/left-pad@1.3.1", "WTFPL")
	w.depsdev.Set("NPM", "mystery", "0.1.0", "MIT")
	snap, cost, n := w.open(t, "deps", map[string]string{"package.json": pkgJSONHead, "README.md": "changed\n"})
	want := `source=dependency review
npm left-pad@1.3.1 prev=1.3.0 package.json:4 scope=runtime license="WTFPL" from GitHub
npm gpl-thing@2.0.0 prev= package.json:5 scope=runtime license="GPL-3.0-only" from GitHub
npm mystery@0.1.0 prev= package.json:6 scope=runtime license="MIT" from deps.dev`
	if got := show(snap.Dependencies); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if n != 2 || cost != (DependencyCost{Compare: 1, Heads: 1}) {
		t.Errorf("%d requests (%+v), want the compare and one manifest", n, cost)
	}

	// Every licence known: the compare alone, lines unknown (0).
	w.gh.SetPackageLicense("pkg:npm/mystery@0.1.0", "MIT")
	snap, cost, n = w.open(t, "deps2", map[string]string{"package.json": pkgJSONHead})
	if n != 1 || cost.Requests() != 1 || len(snap.Dependencies.Added) != 3 || snap.Dependencies.Added[0].Line != 0 {
		t.Errorf("%d requests (%+v): %s", n, cost, show(snap.Dependencies))
	}
}

// A private repository without GitHub Advanced Security: the compare is
// refused (403), and each changed manifest is read at the head and
// judged with GitHub's patch, without reading its base (the patch
// reversed on the head gives it: the previous version too); licences from deps.dev,
// unknown when it has none; a manifest that does not parse is unread.
func TestDependenciesFallbackOnPrivateRepository(t *testing.T) {
	w := newDepWorld(t, true)
	w.gh.SetPackageLicense("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only") // not given: GitHub refuses the review
	w.depsdev.Set("NPM", "gpl-thing", "2.0.0", "GPL-3.0-only")
	w.depsdev.Set("GO", "golang.org/x/mod", "v0.42.0", "BSD-3-Clause")
	snap, cost, n := w.open(t, "deps", map[string]string{"package.json": pkgJSONHead,
		"go.mod": "module example.com/widget\n\ngo 1.22\n\nrequire golang.org/x/mod v0.42.0\n"})
	want := `source=manifests
gomod golang.org/x/mod@v0.42.0 prev= go.mod:5 scope=runtime license="BSD-3-Clause" from deps.dev
npm left-pad@1.3.1 prev=1.3.0 package.json:4 scope=runtime license="" from 
npm gpl-thing@2.0.0 prev= package.json:5 scope=runtime license="GPL-3.0-only" from deps.dev
npm mystery@0.1.0 prev= package.json:6 scope=runtime license="" from `
	if got := show(snap.Dependencies); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if n != 3 || cost != (DependencyCost{Compare: 1, Heads: 2}) {
		t.Errorf("%d requests (%+v), want the compare and the 2 manifests' heads", n, cost)
	}

	// Without GitHub's patch, the base is read, and said so.
	w.tweak = func(s *rules.PullRequest) { s.Patches["package.json"] = "" }
	snap, cost, n = w.open(t, "nopatch", map[string]string{"package.json": pkgJSONHead})
	if got := show(snap.Dependencies); !strings.Contains(got, "npm left-pad@1.3.1 prev=1.3.0 package.json:4") || len(snap.Dependencies.Added) != 3 ||
		n != 3 || cost != (DependencyCost{Compare: 1, Heads: 1, Bases: 1}) {
		t.Errorf("without a patch, %d requests (%+v):\n%s", n, cost, got)
	}
	w.tweak = nil

	snap, _, _ = w.open(t, "broken", map[string]string{"package.json": "{ not json"})
	if d := snap.Dependencies; len(d.Unread) != 1 || d.Unread[0].Path != "package.json" || !strings.Contains(d.Unread[0].Why, "does not parse") {
		t.Errorf("broken manifest: %s", show(d))
	}
}

// A deps.dev outage is an error (the job retries), never an unknown
// licence.
func TestDependenciesDepsDevOutageIsAnError(t *testing.T) {
	w := newDepWorld(t, true)
	w.depsdev.Fail(503)
	ctx := context.Background()
	if _, err := w.gh.Push("acme", "widget", "deps", githubfake.NewCommit{Message: "deps", Files: map[string]string{"package.json": pkgJSONHead}}); err != nil {
		t.Fatal(err)
	}
	p, _ := w.gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "deps", User: "alice", Head: "deps"})
	pr, _, _ := w.client.PullRequests.Get(ctx, "acme", "widget", p.Number)
	snap, err := PullRequest(ctx, w.client, pr, protectedPathsOn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Dependencies(ctx, w.client, pr, snap, w.lookup); err == nil {
		t.Fatalf("no error: %s", show(snap.Dependencies))
	}
}

// The patch's added lines, numbered as in the head.
func TestAddedLines(t *testing.T) {
	patch := "@@ -1,4 +1,5 @@\n {\n-  \"a\": \"1\",\n+  \"a\": \"2\",\n+  \"b\": \"1\",\n   \"c\": \"1\"\n@@ -10,2 +11,3 @@\n x\n+y\n z\n\\ No newline at end of file"
	got := addedLines(patch)
	if len(got) != 3 || got[2] != `  "a": "2",` || got[3] != `  "b": "1",` || got[12] != "y" {
		t.Fatalf("%v", got)
	}
}

// The base comes back from the head and GitHub's patch, as the fake's
// (GitHub's) diffs make it.
func TestReversePatch(t *testing.T) {
	for _, tc := range []struct{ base, head, patch string }{
		{pkgJSONBase, pkgJSONHead, "@@ -1,6 +1,8 @@\n {\n   \"name\": \"widget\",\n   \"dependencies\": {\n-    \"left-pad\": \"1.3.0\"\n+    \"left-pad\": \"1.3.1\",\n+    \"gpl-thing\": \"2.0.0\",\n+    \"mystery\": \"0.1.0\"\n   }\n }"},
		{"a\nb\nc\nd\ne\nf\ng\nh\n", "a\nB\nc\nd\ne\nf\ng\nh\nI\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -8,1 +8,2 @@\n h\n+I"},
		{"a\nb\n", "a\n", "@@ -1,2 +1,1 @@\n a\n-b"},
		{"x\n", "y\n", "@@ -1 +1 @@\n-x\n+y"},
	} {
		got, err := reversePatch(tc.head, tc.patch)
		if err != nil || got != tc.base {
			t.Errorf("reversePatch(%q) = %q, %v; want %q", tc.head, got, err, tc.base)
		}
	}
	if _, err := reversePatch("a\nb\n", "@@ -1,2 +1,2 @@\n a\n-x\n+c"); err == nil {
		t.Error("a patch that does not match the head was reversed")
	}
}

// Without a base (a patch that does not reverse), the patch's added lines
// say which packages changed: the declaring line, or a line of the entry
// holding the version (a lock file).
func TestChangedByPatch(t *testing.T) {
	pkgs := []manifest.Package{{Name: "a", Version: "1.0.0", Line: 3}, {Name: "b", Version: "2.0.0", Line: 6}, {Name: "c", Version: "3.0.0", Line: 10}}
	added := map[int]string{3: `"a": "1.0.0"`, 7: `"version": "2.0.0",`, 12: `"resolved": "elsewhere"`}
	var got []string
	for _, c := range changedByPatch(pkgs, added) {
		got = append(got, c.Name)
	}
	if fmt.Sprint(got) != "[a b]" {
		t.Fatalf("changed %v, want [a b]", got)
	}
}

// A manifest that gives a range names it as the version, and deps.dev is
// not asked about a range.
func TestDependenciesRangeIsNotLookedUp(t *testing.T) {
	w := newDepWorld(t, true)
	w.depsdev.Set("NPM", "lodash", "^4.17.21", "MIT") // never asked
	snap, _, _ := w.open(t, "range", map[string]string{"package.json": strings.Replace(pkgJSONBase, `"left-pad": "1.3.0"`, `"left-pad": "1.3.0",
    "lodash": "^4.17.21"`, 1)})
	want := `source=manifests
npm lodash@^4.17.21 prev= package.json:5 scope=runtime license="" from `
	if got := show(snap.Dependencies); got != want || w.depsdev.Requests() != 0 {
		t.Errorf("got\n%s\nwant\n%s\n(%d deps.dev requests)", got, want, w.depsdev.Requests())
	}
}

// Real files (actions/checkout's package.json and lock file, testdata/
// manifests) added to a private repository: the lock file's exact
// versions win over the manifest's ranges, its own licence fields count,
// and every dependency has its line; 2 requests beside the refused
// compare.
func TestDependenciesRealLockFile(t *testing.T) {
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", "npm", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	w := newDepWorld(t, true)
	snap, cost, n := w.open(t, "checkout", map[string]string{
		"package.json": read("checkout.package.json"), "package-lock.json": read("checkout-v3.package-lock.json")})
	d := snap.Dependencies
	if n != 3 || cost != (DependencyCost{Compare: 1, Heads: 2}) || len(d.Unread) != 0 || len(d.Added) < 100 {
		t.Fatalf("%d requests (%+v), %d dependencies, unread %+v", n, cost, len(d.Added), d.Unread)
	}
	fromLock := 0
	for _, a := range d.Added {
		if a.Manifest == "package.json" && !strings.Contains(a.PURL, "@") {
			// A range in package.json is kept only when the lock file
			// does not list the package.
			for _, b := range d.Added {
				if b.Manifest == "package-lock.json" && b.Name == a.Name {
					t.Errorf("%s is listed from both files", a.Name)
				}
			}
		}
		if a.Line <= 0 {
			t.Errorf("%s@%s in %s has no line", a.Name, a.Version, a.Manifest)
		}
		if a.LicenseSource == LicenseManifest {
			fromLock++
		}
	}
	if fromLock < 100 {
		t.Errorf("%d licences from the lock file", fromLock)
	}
}
