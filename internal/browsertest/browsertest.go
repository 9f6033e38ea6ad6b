// Package browsertest drives a headless Chromium for the dashboard's browser tests: one browser a test process, a fresh tab (and cookie jar) a test, and what a page did wrong collected as it happens.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Viewport is the size of every tab (CSS pixels at scale 1), so that
// screenshots are comparable from run to run and small: GitHub shows a
// README's images at most about 900 pixels wide.
const (
	Viewport       = 1024
	viewportHeight = 720
)

// Install is how to get the browser, as the skip and failure messages say it.
const Install = "install Chromium (`apt-get install -y chromium`; .ci/run does it on CI) or set OSPO_CHROMIUM to a Chromium or Chrome binary"

// Timeout bounds one test's use of its tab, so that a page that never loads
// fails the test instead of hanging the run.
const Timeout = 2 * time.Minute

var shared struct {
	once sync.Once
	ctx  context.Context // the browser's context; tabs are its children
	err  error
}

// ExecPath is the browser to drive: $OSPO_CHROMIUM, else the first of
// chromium, chromium-browser, google-chrome and headless-shell on $PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("OSPO_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser, google-chrome or headless-shell on $PATH")
}

// start starts the process's one browser, on first use. It lives until the
// test process ends: chromedp starts it with a parent-death signal, and
// the profile directories of earlier, ended processes are removed here.
func start() (context.Context, error) {
	shared.once.Do(func() {
		path, err := ExecPath()
		if err != nil {
			shared.err = err
			return
		}
		removeStaleProfiles()
		dir, err := os.MkdirTemp("", "ospo-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		if err := os.WriteFile(filepath.Join(dir, "ospo-owner-pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
			shared.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.UserDataDir(dir), chromedp.WindowSize(Viewport, viewportHeight),
			chromedp.Flag("lang", "en-US"),
		)
		alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, _ := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil {
			shared.err = fmt.Errorf("start %s: %w", path, err)
			return
		}
		shared.ctx = ctx
	})
	return shared.ctx, shared.err
}

// removeStaleProfiles removes the profile directories of test processes
// that have ended.
func removeStaleProfiles() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "ospo-chromium-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "ospo-owner-pid"))
		if err != nil {
			continue
		}
		if _, err := os.Stat("/proc/" + strings.TrimSpace(string(b))); errors.Is(err, os.ErrNotExist) {
			os.RemoveAll(d)
		}
	}
}

// Tab is one test's tab, in a browser context of its own (its own cookies).
// Whatever the pages log as an error — a console.error, an uncaught
// exception, a browser log entry of level error such as a Content Security
// Policy violation or a failed request — is collected; the test fails at
// its end if any was, and Problems says what they were so far.
type Tab struct {
	t   testing.TB
	Ctx context.Context
	*tabState
}

// tabState is what the copies For makes share.
type tabState struct {
	mu        sync.Mutex
	problems  []problem
	documents map[string]bool // the pages the tab loaded
	visited   []string        // the pages the tab asked for, redirects included
	current   string          // the page shown

	downloads string
	browserID cdp.BrowserContextID
}

// Require starts the process's browser if it is not running and returns
// its context. Without a browser it skips t, saying how to install one,
// except on CI (CI=true) where it fails t: there the browser tests are
// required.
func Require(t testing.TB) context.Context {
	t.Helper()
	bctx, err := start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI requires a browser for the dashboard's tests: %v; %s", err, Install)
		}
		t.Skipf("no browser for the dashboard's tests (%v): %s", err, Install)
	}
	return bctx
}

// New opens a tab for t. Without a browser it skips t, saying how to
// install one, except on CI (CI=true) where it fails t: there the browser
// tests are required.
func New(t testing.TB) *Tab {
	t.Helper()
	bctx := Require(t)
	tab := &Tab{t: t, tabState: &tabState{downloads: t.TempDir(), documents: map[string]bool{}}}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(tab.listen))
	ctx, cancelT := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancelT()
		cancel()
		for _, p := range tab.Problems() {
			t.Errorf("the browser reported: %s", p)
		}
	})
	tab.Ctx = ctx
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Viewport, viewportHeight)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tab.browserID = chromedp.FromContext(ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: tab.browserID, DownloadPath: tab.downloads, EventsEnabled: ptr(true),
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	return tab
}

func ptr[T any](v T) *T { return &v }

// For returns the tab for use in t, a subtest of the test that opened it:
// the same tab, failing t.
func (tab *Tab) For(t testing.TB) *Tab { return &Tab{t: t, Ctx: tab.Ctx, tabState: tab.tabState} }

// problem is an error the browser reported; url is the resource a network
// error is about.
type problem struct{ text, url string }

// listen runs in the tab's event loop: it only records.
func (tab *Tab) listen(ev any) {
	var p, url string
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Type == network.ResourceTypeDocument {
			tab.mu.Lock()
			tab.visited = append(tab.visited, ev.Request.URL)
			tab.mu.Unlock()
		}
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			tab.mu.Lock()
			tab.documents[ev.Response.URL] = true
			tab.current = ev.Response.URL
			tab.mu.Unlock()
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		p = "uncaught exception: " + d.Text
		if d.Exception != nil {
			p += " " + d.Exception.Description
		}
		p += " at " + d.URL
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			p = fmt.Sprintf("%s error: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			if ev.Entry.Source == log.EntrySourceNetwork {
				url = ev.Entry.URL
			}
		}
	}
	if p != "" {
		tab.mu.Lock()
		tab.problems = append(tab.problems, problem{p + " on the page " + tab.current, url})
		tab.mu.Unlock()
	}
}

// Problems returns the errors the browser reported so far. The status of
// a page the tab loaded is not one (the browser logs a 403 page's as an
// error): Go and Follow return it for the test to check.
func (tab *Tab) Problems() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var out []string
	for _, p := range tab.problems {
		if p.url == "" || !tab.documents[p.url] {
			out = append(out, p.text)
		}
	}
	return out
}

// Visited returns the address of every page the tab asked for so far, in
// order, each hop of a redirect included.
func (tab *Tab) Visited() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.visited...)
}

// Fetch gets url with the tab's cookies (its session), outside the page:
// for a page's CSV and JSON, which the page's CSP keeps the page itself
// from fetching.
func (tab *Tab) Fetch(url string) (int, []byte) {
	tab.t.Helper()
	res, err := chromedp.Call(tab.Ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		tab.t.Fatalf("cookies of %s: %v", url, err)
	}
	req, err := http.NewRequestWithContext(tab.Ctx, http.MethodGet, url, nil)
	if err != nil {
		tab.t.Fatal(err)
	}
	for _, c := range res.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tab.t.Fatalf("get %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tab.t.Fatalf("read %s: %v", url, err)
	}
	return resp.StatusCode, b
}

// Go loads url and returns the HTTP status it was answered with.
func (tab *Tab) Go(url string) int {
	tab.t.Helper()
	resp, err := chromedp.Run(tab.Ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tab.t.Fatalf("load %s: %v", url, err)
	}
	return int(resp.Status)
}

// Follow runs act (a click, a form's submission), waits for the page it
// leads to and returns its response.
func (tab *Tab) Follow(act chromedp.Action[chromedp.Void]) *network.Response {
	tab.t.Helper()
	resp, err := chromedp.RunResponse(tab.Ctx, act)
	if err != nil {
		tab.t.Fatalf("follow: %v", err)
	}
	if resp == nil {
		tab.t.Fatalf("follow: no page loaded")
	}
	return resp
}

// URL is the tab's current address.
func (tab *Tab) URL() string {
	tab.t.Helper()
	u, err := chromedp.Run(tab.Ctx, chromedp.Location())
	if err != nil {
		tab.t.Fatal(err)
	}
	return u
}

// Eval evaluates a JavaScript expression in the page (DevTools bypasses
// the page's CSP) and decodes its JSON value.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	v, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tab.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Texts returns the trimmed text of every element matching the CSS selector.
func (tab *Tab) Texts(css string) []string {
	tab.t.Helper()
	return Eval[[]string](tab, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.textContent.trim())`, strconv.Quote(css)))
}

// Count is the number of elements matching the CSS selector.
func (tab *Tab) Count(css string) int {
	tab.t.Helper()
	return Eval[int](tab, fmt.Sprintf(`document.querySelectorAll(%s).length`, strconv.Quote(css)))
}

// Table reads the table under the CSS selector as its header's and rows'
// texts.
func (tab *Tab) Table(css string) (head []string, rows [][]string) {
	tab.t.Helper()
	q := strconv.Quote(css)
	head = Eval[[]string](tab, fmt.Sprintf(`Array.from(document.querySelectorAll(%s+" thead th"), e => e.textContent.trim())`, q))
	rows = Eval[[][]string](tab, fmt.Sprintf(`Array.from(document.querySelectorAll(%s+" tbody tr"), r => Array.from(r.cells, c => c.textContent.trim()))`, q))
	return head, rows
}

// Download clicks the link the CSS selector matches and returns the file
// the browser saved, once it is complete.
func (tab *Tab) Download(css string) (name string, body []byte) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.Ctx, 30*time.Second)
	defer cancel()
	begun := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		tab.t.Fatalf("click %s: %v", css, err)
	}
	var guid string
	for ev, err := range begun {
		if err != nil {
			tab.t.Fatalf("no download began after a click on %s: %v", css, err)
		}
		guid, name = ev.GUID, ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			tab.t.Fatalf("download %s did not complete: %v", name, err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			tab.t.Fatalf("download %s canceled", name)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			path := ev.FilePath
			if path == "" {
				path = filepath.Join(tab.downloads, name)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				tab.t.Fatalf("read the download: %v", err)
			}
			return name, b
		}
	}
	return name, nil
}

// A Control is a link or form control of a page as the keyboard test
// names it.
type Control struct {
	Tag, Text, Href, Name string
}

func (c Control) String() string {
	s := "<" + c.Tag + ">"
	if c.Name != "" {
		s += " name=" + c.Name
	}
	if c.Href != "" {
		s += " href=" + c.Href
	}
	if c.Text != "" {
		s += " " + strconv.Quote(c.Text)
	}
	return s
}

// controls are what a keyboard user must reach: every link, button, input
// (but hidden ones), select and text area that is not disabled.
const controls = `Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')).filter(e => !e.disabled && e.tabIndex >= 0)`

// Unreachable presses Tab from the top of the page until the focus leaves
// the page or comes back to where it started, and returns the controls it
// never reached (none on a page a keyboard user can fully use), and how
// many it did.
func (tab *Tab) Unreachable() (missed []Control, reached int) {
	tab.t.Helper()
	n := Eval[int](tab, `(() => { const c = `+controls+`; c.forEach((e, i) => e.dataset.kbd = i); if (document.activeElement) document.activeElement.blur(); return c.length })()`)
	seen := make([]bool, n)
	last := -1
	// A date input takes a Tab for each of its fields: allow a few
	// presses a control.
	for presses := 0; presses < 4*n+4; presses++ {
		if err := chromedp.Do(tab.Ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			tab.t.Fatalf("press Tab: %v", err)
		}
		i := Eval[int](tab, `(() => { const e = document.activeElement; return e && e.dataset && e.dataset.kbd !== undefined ? +e.dataset.kbd : -1 })()`)
		if i == last {
			continue // within the same control
		}
		if i < 0 || seen[i] {
			break // the focus left the page's controls, or went round
		}
		seen[i], last = true, i
		reached++
	}
	all := Eval[[]Control](tab, `Array.from(document.querySelectorAll('[data-kbd]'), e => ({Tag: e.tagName.toLowerCase(), Text: (e.textContent || e.value || '').trim().slice(0, 60), Href: e.getAttribute('href') || '', Name: e.getAttribute('name') || ''}))`)
	for i, ok := range seen {
		if !ok && i < len(all) {
			missed = append(missed, all[i])
		}
	}
	return missed, reached
}

// Screenshot saves the top of the page (the fixed viewport, as PNG) as
// name.png in the artifacts' directory (ScreenshotDir).
func (tab *Tab) Screenshot(name string) {
	tab.t.Helper()
	tab.screenshot(name, false)
}

// ReadmeScreenshot is Screenshot of a page the README shows: with
// OSPO_UPDATE_SCREENSHOTS=1 it also writes testdata/screenshots/name.png
// at the module's root.
func (tab *Tab) ReadmeScreenshot(name string) {
	tab.t.Helper()
	tab.screenshot(name, os.Getenv("OSPO_UPDATE_SCREENSHOTS") == "1")
}

func (tab *Tab) screenshot(name string, readme bool) {
	tab.t.Helper()
	// The top of the page, as a visitor first sees it, with no focus ring.
	Eval[chromedp.Void](tab, `(() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur() })()`)
	buf, err := chromedp.Run(tab.Ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tab.t.Fatalf("screenshot %s: %v", name, err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(buf)); err != nil {
		tab.t.Fatalf("screenshot %s is no PNG: %v", name, err)
	}
	dir, err := ScreenshotDir()
	if err != nil {
		tab.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tab.t.Fatal(err)
	}
	tab.t.Logf("screenshot: %s", path)
	if readme {
		root, err := moduleRoot()
		if err != nil {
			tab.t.Fatal(err)
		}
		readme := filepath.Join(root, "testdata", "screenshots", name+".png")
		if err := os.MkdirAll(filepath.Dir(readme), 0o755); err != nil {
			tab.t.Fatal(err)
		}
		if err := os.WriteFile(readme, buf, 0o644); err != nil {
			tab.t.Fatal(err)
		}
		tab.t.Logf("README screenshot updated: %s", readme)
	}
}

// ScreenshotDir is where screenshots are saved as the tests' artifacts:
// $OSPO_SCREENSHOTS, else ospo-bot-screenshots in the temporary directory
// (each run overwrites the last's).
func ScreenshotDir() (string, error) {
	dir := os.Getenv("OSPO_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ospo-bot-screenshots")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
