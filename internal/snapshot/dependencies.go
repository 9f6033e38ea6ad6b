package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/manifest"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// Where a dependency list or a licence came from (rules.DependencyChanges
// .Source, rules.Dependency.LicenseSource).
const (
	SourceReview    = "dependency review"
	SourceManifests = "manifests"

	LicenseGitHub   = "GitHub"
	LicenseManifest = "manifest"
	LicenseDepsDev  = "deps.dev"
)

// LicenseLookup gives a package version's SPDX licence expression, ""
// when nobody knows it (depsdev.Client). An error is never "unknown": the
// check fails and its job retries.
type LicenseLookup interface {
	License(ctx context.Context, ecosystem, name, version string) (string, error)
}

// DependencyCost counts what gathering the dependencies asked of GitHub:
// the dependency review compare, the heads and bases of manifests read
// through the contents API. Bases are read only for a changed manifest
// GitHub gave no patch of.
type DependencyCost struct {
	Compare, Heads, Bases int
}

// Requests is the total.
func (c DependencyCost) Requests() int { return c.Compare + c.Heads + c.Bases }

// Dependencies gathers into snap.Dependencies the dependencies the pull
// request pr adds or changes, with their licences. snap must hold the
// changed files (Files, Status, Patches, Renamed) as PullRequest reads them.
//
//   - No changed file is a manifest or lock file (manifest.Recognised): an
//     empty list, no request.
//   - Otherwise one request: GitHub's dependency review, GET
//     /repos/{o}/{r}/dependency-graph/compare/{base}...{head}; its added
//     packages (a removed one at another version gives Previous) with
//     GitHub's licence.
//   - When that answers 403 or 404 (a private repository without GitHub
//     Advanced Security, GitHub Enterprise Server without the dependency
//     graph), each changed manifest's head is read (the contents API at
//     the head SHA, 1 request each) and parsed; GitHub's patch of it,
//     reversed on the head, gives its base (else a dependency whose line
//     the patch adds is added or changed); the base is read only when
//     GitHub gave no patch. The lock file's exact versions win over its
//     manifest's ranges.
//   - A dependency GitHub gives no licence for: its manifest's head is read
//     (once) for its line and the lock file's own licence field, then
//     licenses (deps.dev) is asked; else its licence is "" (unknown).
//
// A manifest that cannot be read or parsed is listed in Unread, with why.
func Dependencies(ctx context.Context, client *github.Client, pr *github.PullRequest, snap *rules.PullRequest, licenses LicenseLookup) (DependencyCost, error) {
	g := &depGatherer{ctx: ctx, client: client, snap: snap, licenses: licenses,
		base: pr.GetBase().GetSHA(), head: pr.GetHead().GetSHA(), heads: map[string][]manifest.Package{}, headText: map[string]string{}}
	if g.head == "" {
		g.head = snap.HeadSHA
	}
	err := g.gather()
	if err == nil {
		zerolog.Ctx(ctx).Debug().Int("compare", g.cost.Compare).Int("heads", g.cost.Heads).Int("bases", g.cost.Bases).
			Int("dependencies", len(snap.Dependencies.Added)).Str("source", snap.Dependencies.Source).Msg("dependencies gathered")
	}
	return g.cost, err
}

type depGatherer struct {
	ctx        context.Context
	client     *github.Client
	snap       *rules.PullRequest
	licenses   LicenseLookup
	base, head string
	cost       DependencyCost
	out        *rules.DependencyChanges
	// heads are the manifests read at the head, parsed; unread ones are
	// in out.Unread.
	heads map[string][]manifest.Package
	// headText are their texts.
	headText map[string]string
}

// changedManifests are the manifests and lock files the pull request adds
// or modifies (a deleted one adds nothing), in path order.
func changedManifests(snap *rules.PullRequest) []string {
	var out []string
	for _, p := range snap.Files {
		if snap.Status[p] != "removed" && manifest.Recognised(p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (g *depGatherer) gather() error {
	snap := g.snap
	g.out = &rules.DependencyChanges{Source: SourceManifests}
	snap.Dependencies = g.out
	changed := changedManifests(snap)
	if len(changed) == 0 && snap.FilesComplete {
		return nil
	}
	review, ok, err := g.review()
	if err != nil {
		return err
	}
	if !ok {
		if !snap.FilesComplete {
			// A manifest may hide past the end of the list GitHub cut
			// short: say so, the rule fails closed.
			g.out.Unread = append(g.out.Unread, rules.UnreadManifest{Path: "(changed files)",
				Why: fmt.Sprintf("GitHub listed %d of the pull request's %d changed files, and its dependency review is not available: a manifest among the others was not read", snap.FilesRead, snap.FileCount)})
		}
		return g.fromManifests(changed)
	}
	g.out.Source = SourceReview
	g.out.Added = review
	if err := g.completeLicenses(); err != nil {
		return err
	}
	g.out.Added = preferLocks(g.out.Added) // in line order, now that lines are known
	return nil
}

// reviewEntry is one entry of GitHub's dependency review.
type reviewEntry struct {
	ChangeType string  `json:"change_type"`
	Manifest   string  `json:"manifest"`
	Ecosystem  string  `json:"ecosystem"`
	Name       string  `json:"name"`
	Version    string  `json:"version"`
	PackageURL *string `json:"package_url"`
	License    *string `json:"license"`
	Scope      string  `json:"scope"`
}

// review asks GitHub's dependency review; ok is false when GitHub does
// not serve it here (403, 404).
func (g *depGatherer) review() (deps []rules.Dependency, ok bool, err error) {
	snap := g.snap
	if g.base == "" || g.head == "" {
		return nil, false, nil
	}
	u := fmt.Sprintf("repos/%s/%s/dependency-graph/compare/%s...%s", url.PathEscape(snap.Owner), url.PathEscape(snap.Name),
		url.PathEscape(g.base), url.PathEscape(g.head))
	req, err := g.client.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, false, err
	}
	var entries []reviewEntry
	g.cost.Compare++
	_, err = g.client.Do(g.ctx, req, &entries)
	if s := ghclient.Status(err); s == http.StatusForbidden || s == http.StatusNotFound {
		zerolog.Ctx(g.ctx).Info().Int("status", s).Msg("no dependency review here; reading the changed manifests")
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("dependency review of %s/%s %s...%s: %w", snap.Owner, snap.Name, g.base, g.head, err)
	}
	type pkg struct{ manifest, ecosystem, name string }
	removed := map[pkg]string{}
	for _, e := range entries {
		if e.ChangeType == "removed" {
			removed[pkg{e.Manifest, e.Ecosystem, e.Name}] = e.Version
		}
	}
	for _, e := range entries {
		if e.ChangeType != "added" {
			continue
		}
		d := rules.Dependency{Ecosystem: e.Ecosystem, Name: e.Name, Version: e.Version, Manifest: e.Manifest,
			Previous: removed[pkg{e.Manifest, e.Ecosystem, e.Name}], Scope: scopeOf(e.Scope)}
		if e.PackageURL != nil {
			d.PURL = *e.PackageURL
		}
		if d.PURL == "" {
			d.PURL = manifest.Package{Ecosystem: e.Ecosystem, Name: e.Name, Version: e.Version}.PURL()
		}
		if e.License != nil && strings.TrimSpace(*e.License) != "" {
			d.License, d.LicenseSource = strings.TrimSpace(*e.License), LicenseGitHub
		}
		deps = append(deps, d)
	}
	return preferLocks(deps), true, nil
}

func scopeOf(s string) string {
	if s == "runtime" || s == "development" {
		return s
	}
	return "unknown"
}

// completeLicenses finds the lines and the licences GitHub's dependency
// review did not give: from the head of the manifest (read once, and only
// for a dependency without a licence), then from deps.dev.
func (g *depGatherer) completeLicenses() error {
	var pending []int
	for i := range g.out.Added {
		d := &g.out.Added[i]
		if d.License != "" {
			if pkgs, read := g.heads[d.Manifest]; read {
				if p, found := findPackage(pkgs, d); found {
					d.Line = p.Line
				}
			}
			continue
		}
		// GitHub gave the list: a manifest read only for its lines and
		// licences is not reported when it cannot be (a lock file past
		// the contents API's 1 MB), deps.dev is asked instead.
		pkgs, err := g.readHead(d.Manifest, false)
		if err != nil {
			return err
		}
		if p, found := findPackage(pkgs, d); found {
			d.Line = p.Line
			if l := strings.TrimSpace(p.License); l != "" {
				d.License, d.LicenseSource = l, LicenseManifest
				continue
			}
		}
		pending = append(pending, i)
	}
	if err := g.lookUpAll(pending); err != nil {
		return err
	}
	// The lines of the dependencies before the one that made a manifest
	// be read.
	for i := range g.out.Added {
		d := &g.out.Added[i]
		if pkgs, read := g.heads[d.Manifest]; read && d.Line == 0 {
			if p, found := findPackage(pkgs, d); found {
				d.Line = p.Line
			}
		}
	}
	return nil
}

func findPackage(pkgs []manifest.Package, d *rules.Dependency) (manifest.Package, bool) {
	for _, p := range pkgs {
		if p.Name == d.Name && p.Version == d.Version {
			return p, true
		}
	}
	for _, p := range pkgs {
		if p.Name == d.Name {
			return p, true
		}
	}
	return manifest.Package{}, false
}

// lookUps is how many deps.dev lookups run at once: a new lock file may
// bring hundreds of packages, each a request the first time.
const lookUps = 8

// lookUpAll asks deps.dev about the dependencies at these indices of
// out.Added, a few at once; the first error wins.
func (g *depGatherer) lookUpAll(indices []int) error {
	sem := make(chan struct{}, lookUps)
	errs := make(chan error, len(indices))
	var wg sync.WaitGroup
	for _, i := range indices {
		wg.Add(1)
		sem <- struct{}{}
		go func(d *rules.Dependency) {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- g.lookUp(d)
		}(&g.out.Added[i])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (g *depGatherer) lookUp(d *rules.Dependency) error {
	// A package URL without "@version": no exact version to ask about
	// (a scoped npm name's "@" is escaped: %40).
	if g.licenses == nil || !strings.Contains(d.PURL, "@") {
		return nil
	}
	l, err := g.licenses.License(g.ctx, d.Ecosystem, d.Name, d.Version)
	if err != nil {
		return fmt.Errorf("licence of %s: %w", d.PURL, err)
	}
	if l != "" {
		d.License, d.LicenseSource = l, LicenseDepsDev
	}
	return nil
}

// readHead reads and parses a manifest at the pull request's head, once;
// one it cannot read or parse gives nothing, and with report is listed in
// Unread.
func (g *depGatherer) readHead(p string, report bool) ([]manifest.Package, error) {
	if pkgs, read := g.heads[p]; read {
		return pkgs, nil
	}
	g.cost.Heads++
	pkgs, why, err := g.readParse(p, g.head)
	if err != nil {
		return nil, err
	}
	if why != "" && report {
		g.out.Unread = append(g.out.Unread, rules.UnreadManifest{Path: p, Why: why})
	}
	g.heads[p] = pkgs
	return pkgs, nil
}

// readParse reads a manifest at ref through the contents API and parses
// it; why says why it could not (not an error: the rule reports it).
func (g *depGatherer) readParse(p, ref string) (pkgs []manifest.Package, why string, err error) {
	snap := g.snap
	file, _, _, err := g.client.Repositories.GetContents(g.ctx, snap.Owner, snap.Name, p, &github.RepositoryContentGetOptions{Ref: ref})
	switch s := ghclient.Status(err); {
	case s == http.StatusNotFound:
		return nil, "GitHub has no such file at " + short(ref), nil
	case s == http.StatusForbidden:
		return nil, "GitHub refused to give it (" + strconv.Itoa(s) + ")", nil
	case err != nil:
		return nil, "", fmt.Errorf("read %s of %s/%s at %s: %w", p, snap.Owner, snap.Name, ref, err)
	case file == nil:
		return nil, "it is a directory, not a file", nil
	}
	text, err := file.GetContent()
	if err != nil || (text == "" && file.GetSize() > 0) {
		// Past 1 MB the contents API gives no content (encoding "none").
		return nil, fmt.Sprintf("GitHub's contents API did not give its text (%d bytes)", file.GetSize()), nil
	}
	if ref == g.head {
		g.headText[p] = text
	}
	pkgs, err = manifest.Parse(p, []byte(text))
	if err != nil {
		return nil, "it does not parse: " + err.Error(), nil
	}
	return pkgs, "", nil
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// fromManifests is the fallback: the changed manifests, read at the head
// and parsed.
func (g *depGatherer) fromManifests(changed []string) error {
	g.out.Source = SourceManifests
	var deps []rules.Dependency
	for _, p := range changed {
		pkgs, err := g.readHead(p, true)
		if err != nil {
			return err
		}
		if pkgs == nil {
			continue
		}
		changes, err := g.changesOf(p, pkgs)
		if err != nil {
			return err
		}
		for _, c := range changes {
			// A manifest that gives only a range ("^4.17.1") names no
			// version: the range is shown, the package URL has none and
			// deps.dev is not asked (its licence stays unknown unless a
			// lock file gives the version).
			version := c.Version
			if version == "" {
				version = c.Requirement
			}
			deps = append(deps, rules.Dependency{PURL: c.PURL(), Ecosystem: c.Ecosystem, Name: c.Name, Version: version,
				Previous: c.Previous, Manifest: p, Line: c.Line, Scope: scopeOf(c.Scope)})
			if l := strings.TrimSpace(c.License); l != "" {
				deps[len(deps)-1].License, deps[len(deps)-1].LicenseSource = l, LicenseManifest
			}
		}
	}
	g.out.Added = preferLocks(deps)
	var pending []int
	for i := range g.out.Added {
		if g.out.Added[i].License == "" {
			pending = append(pending, i)
		}
	}
	return g.lookUpAll(pending)
}

// changesOf says which of a changed manifest's packages (at the head) the
// pull request adds or changes: all of an added file's; those whose line,
// or a line of whose entry holding its version, GitHub's patch adds; and
// without a patch (or with a package whose line the parser does not
// know), the difference with the base, read for it.
func (g *depGatherer) changesOf(p string, head []manifest.Package) ([]manifest.Change, error) {
	snap := g.snap
	status := snap.Status[p]
	if status == "added" || status == "copied" {
		out := make([]manifest.Change, len(head))
		for i, pk := range head {
			out[i] = manifest.Change{Package: pk}
		}
		return out, nil
	}
	patch := snap.Patches[p]
	if patch != "" {
		// The head and GitHub's patch give the base back, at no cost:
		// the exact changes, with the versions replaced.
		if text, ok := g.headText[p]; ok {
			if baseText, err := reversePatch(text, patch); err == nil {
				if base, err := manifest.Parse(p, []byte(baseText)); err == nil {
					return manifest.Changes(base, head), nil
				}
			}
		}
		// Else the lines the patch adds say which packages changed.
		if !slices.ContainsFunc(head, func(pk manifest.Package) bool { return pk.Line <= 0 }) {
			return changedByPatch(head, addedLines(patch)), nil
		}
	}
	old := p
	if was, renamed := snap.Renamed[p]; renamed {
		old = was
	}
	g.cost.Bases++
	base, why, err := g.readParse(old, g.base)
	if err != nil {
		return nil, err
	}
	if why != "" {
		if strings.HasPrefix(why, "GitHub has no such file") {
			base = nil // new here: everything is added
		} else {
			g.out.Unread = append(g.out.Unread, rules.UnreadManifest{Path: p, Why: "its base version: " + why})
			return nil, nil
		}
	}
	return manifest.Changes(base, head), nil
}

// reversePatch gives the text a unified diff was made from, out of the
// text it gave (head) and the diff; an error when they do not agree.
func reversePatch(head, patch string) (string, error) {
	lines := strings.Split(head, "\n")
	var out []string
	next := 0 // index in lines of the next head line not yet copied
	hunk := strings.Split(patch, "\n")
	for i := 0; i < len(hunk); i++ {
		h := hunk[i]
		if !strings.HasPrefix(h, "@@") {
			if h == "" && i == len(hunk)-1 {
				break
			}
			return "", fmt.Errorf("line %d of the patch is outside a hunk", i+1)
		}
		// @@ -a,b +c,d @@: the hunk's head lines start at line c (after
		// line c when d is 0).
		_, after, _ := strings.Cut(h, "+")
		spec, _, _ := strings.Cut(after, " ")
		startS, countS, hasCount := strings.Cut(spec, ",")
		start, err := strconv.Atoi(startS)
		if err != nil {
			return "", fmt.Errorf("hunk header %q", h)
		}
		if hasCount && countS == "0" {
			start++
		}
		if start-1 < next || start-1 > len(lines) {
			return "", fmt.Errorf("hunk header %q out of order", h)
		}
		out = append(out, lines[next:start-1]...)
		next = start - 1
		for i+1 < len(hunk) && !strings.HasPrefix(hunk[i+1], "@@") {
			i++
			l := hunk[i]
			switch {
			case strings.HasPrefix(l, `\`):
			case strings.HasPrefix(l, "-"):
				out = append(out, l[1:])
			case strings.HasPrefix(l, "+"), strings.HasPrefix(l, " "), l == "" && i < len(hunk)-1:
				text := ""
				if l != "" {
					text = l[1:]
				}
				if next >= len(lines) || lines[next] != text {
					return "", fmt.Errorf("the patch does not match the head at line %d", next+1)
				}
				if !strings.HasPrefix(l, "+") {
					out = append(out, text)
				}
				next++
			case l == "":
			default:
				return "", fmt.Errorf("line %d of the patch: %q", i+1, l)
			}
		}
	}
	out = append(out, lines[next:]...)
	return strings.Join(out, "\n"), nil
}

// addedLines maps the head line numbers of a unified diff's added lines
// to their text.
func addedLines(patch string) map[int]string {
	out := map[int]string{}
	line := 0
	for _, l := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			// @@ -a,b +c,d @@
			_, after, _ := strings.Cut(l, "+")
			num, _, _ := strings.Cut(after, ",")
			num, _, _ = strings.Cut(num, " ")
			n, err := strconv.Atoi(num)
			if err != nil {
				return out
			}
			line = n
		case line == 0:
		case strings.HasPrefix(l, "+"):
			out[line] = l[1:]
			line++
		case strings.HasPrefix(l, "-"), strings.HasPrefix(l, `\`):
		default:
			line++
		}
	}
	return out
}

// changedByPatch: a package is added or changed when its line is added,
// or an added line of its entry (up to the next package's line) holds its
// version (a lock file's entry spans lines: "version": "1.2.3").
func changedByPatch(pkgs []manifest.Package, added map[int]string) []manifest.Change {
	lines := make([]int, 0, len(pkgs))
	for _, p := range pkgs {
		lines = append(lines, p.Line)
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	var out []manifest.Change
	for _, p := range pkgs {
		if _, ok := added[p.Line]; ok {
			out = append(out, manifest.Change{Package: p})
			continue
		}
		if p.Version == "" {
			continue
		}
		end := p.Line + 40
		if i, found := slices.BinarySearch(lines, p.Line); found && i+1 < len(lines) {
			end = lines[i+1]
		}
		for l := p.Line + 1; l < end; l++ {
			if text, ok := added[l]; ok && strings.Contains(text, p.Version) {
				out = append(out, manifest.Change{Package: p})
				break
			}
		}
	}
	return out
}

// isLock reports whether a manifest path is a lock file (exact versions).
func isLock(p string) bool {
	b := strings.ToLower(path.Base(p))
	return strings.HasSuffix(b, ".lock") || strings.Contains(b, "-lock.") || strings.Contains(b, "lock.json") || b == "go.sum"
}

// preferLocks drops a manifest's entry for a package its lock file (in
// the same directory) lists too, and sorts by manifest and line.
func preferLocks(deps []rules.Dependency) []rules.Dependency {
	type key struct{ dir, ecosystem, name string }
	locked := map[key]bool{}
	for _, d := range deps {
		if isLock(d.Manifest) {
			locked[key{path.Dir(d.Manifest), d.Ecosystem, d.Name}] = true
		}
	}
	out := deps[:0:0]
	seen := map[string]bool{}
	for _, d := range deps {
		if !isLock(d.Manifest) && locked[key{path.Dir(d.Manifest), d.Ecosystem, d.Name}] {
			continue
		}
		if k := d.Manifest + "\x00" + d.PURL; !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b rules.Dependency) int {
		return cmp.Or(strings.Compare(a.Manifest, b.Manifest), cmp.Compare(a.Line, b.Line))
	})
	return out
}
