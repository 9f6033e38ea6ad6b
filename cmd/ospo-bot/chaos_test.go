package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/chaos"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

var (
	chaosSeeds = flag.Int("chaos.seeds", 0, "TestChaos: how many seeds to play (also OSPO_CHAOS_SEEDS); 0 skips the test")
	chaosFirst = flag.Int("chaos.first", 1, "TestChaos: the first seed (also OSPO_CHAOS_FIRST)")
	chaosRate  = flag.Float64("chaos.rate", 0.15, "TestChaos: the probability that a write of the bot is faulted, a tenth of it for a read (also OSPO_CHAOS_RATE)")
)

// chaosSetting is a flag, or the environment variable when the flag is
// at its default (.ci/run runs `go test ./...`, where a package's own
// flag cannot be passed).
func chaosSetting[T any](t *testing.T, name string, v *T, parse func(string) (T, error)) T {
	t.Helper()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "chaos."+name })
	if s := os.Getenv("OSPO_CHAOS_" + strings.ToUpper(name)); s != "" && !set {
		x, err := parse(s)
		if err != nil {
			t.Fatalf("OSPO_CHAOS_%s=%q: %v", strings.ToUpper(name), s, err)
		}
		return x
	}
	return *v
}

const chaosPolicy = `review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: enforce, allowed: [Apache-2.0, MIT]}
  codeowners: {mode: off}
  files: {mode: warn, required: [README]}
pull_request:
  cla: {mode: enforce, document: "https://acme.example/cla", version: "1"}
  labels: {mode: enforce, one_of: [[kind/bug, kind/feature]]}
  protected_paths: {mode: enforce}
  dependencies: {mode: enforce, allowed: [MIT, Apache-2.0]}
`

const chaosPhrase = "I have read the CLA Document and I hereby sign the CLA"

// driverAgent is the User-Agent of the test's own GitHub client (the
// org's owner editing the repository, labelling, reading payloads): the
// fault plan spares it, it faults the bot's requests only.
const driverAgent = "ospo-chaos-driver"

// TestChaos is the differential chaos test. It plays the repository and
// pull request scenarios once, fault-free, against one `serve` process,
// and records what GitHub and the audit log hold at the end. Then, per
// seed, it plays them again against two `serve` processes on one Postgres
// database, every delivery sent to both, with the bot's GitHub requests
// faulted at random (a 5xx before the write, a write applied whose
// response is lost, a secondary rate limit), and one replica SIGKILLed on
// its first GitHub write of a step and restarted. Every step waits until
// both queues are idle and then requires the step's observable effect; at
// the end the state must equal the fault-free one.
//
// It is skipped unless -chaos.seeds=N or OSPO_CHAOS_SEEDS=N is set.
func TestChaos(t *testing.T) {
	seeds := chaosSetting(t, "seeds", chaosSeeds, strconv.Atoi)
	if seeds <= 0 {
		t.Skip("the chaos test runs with -chaos.seeds=N or OSPO_CHAOS_SEEDS=N")
	}
	first := chaosSetting(t, "first", chaosFirst, strconv.Atoi)
	rate := chaosSetting(t, "rate", chaosRate, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if len(storetest.Dialects(t)) < 2 {
		t.Skip("needs Postgres")
	}
	bin := filepath.Join(t.TempDir(), "ospo-bot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var want chaos.Snapshot
	if !t.Run("fault-free", func(t *testing.T) { want = playChaos(t, bin, 0, 0, 1) }) {
		t.FailNow()
	}
	t.Logf("fault-free end state:\n%s", strings.Join(want, "\n"))
	for seed := first; seed < first+seeds; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			got := playChaos(t, bin, int64(seed), rate, 2)
			if diff := chaos.Diff(want, got); len(diff) > 0 {
				t.Errorf("seed %d: the final state differs from the fault-free run (- fault-free, + this run):\n%s", seed, strings.Join(diff, "\n"))
			}
		})
	}
}

// chaosReplica is one `serve` process and how it reaches GitHub.
type chaosReplica struct {
	name string
	host string // the fake's host:port as this replica names it
	addr string
	env  []string
	p    *process
	prev string // the log of the killed process
}

type chaosWorld struct {
	t        *testing.T
	bin      string
	gh       *githubfake.Fake
	st       *store.Store
	admin    *github.Client
	inst     int64
	replicas []*chaosReplica
	seq      int
	step     int
	killFrom int // the step from which replica B is SIGKILLed on its first write; 0: never
	// renamed: the killed replica comes back under another replica_id
	// (a replaced pod), so River's rescuer, not the restart, runs the job
	// it left running (about 35 s: a job timeout of 5 s and the rescuer's
	// round of 30 s).
	renamed bool
	killed  string
	marks   []int // per step, the length of the fake's request log when it began
}

// playChaos plays the scenarios with n replicas (1 or 2) and, for a seed
// other than 0, faults at the rate; it returns the final state.
func playChaos(t *testing.T, bin string, seed int64, rate float64, n int) chaos.Snapshot {
	app := fakeapp.New(t)
	gh := app.GitHub
	dbURL := storetest.URL(t, store.Postgres)
	w := &chaosWorld{t: t, bin: bin, gh: gh}
	w.seed()
	port := strings.TrimPrefix(gh.URL(), "http://127.0.0.1:")
	hosts := []string{"127.0.0.1:" + port, "localhost:" + port}
	for i := range n {
		r := &chaosReplica{name: string(rune('A' + i)), host: hosts[i], addr: freeAddr(t)}
		r.env = []string{
			"OSPO_LISTEN=" + r.addr, "OSPO_DATABASE_URL=" + dbURL,
			"OSPO_GITHUB_API_URL=http://" + r.host + "/", fmt.Sprintf("OSPO_GITHUB_APP_ID=%d", fakeapp.ID),
			"OSPO_GITHUB_PRIVATE_KEY=" + string(fakeapp.KeyPEM()), "OSPO_GITHUB_WEBHOOK_SECRET=" + chaosSecret,
			"OSPO_WORKERS=4", "OSPO_LOG_LEVEL=warn", "OSPO_SWEEP_INTERVAL=0", "OSPO_REPLICA_ID=chaos-" + r.name,
			// A failed job runs again after 5 ms × n⁴ (River's 1 s × n⁴
			// would make a job faulted four times wait minutes). A job the
			// killed replica left running runs again when it restarts
			// under its replica_id, or, renamed, is rescued 6 s after it
			// began, at the rescuer's next round (every 30 s).
			"OSPO_JOB_RETRY_BASE=5ms", "OSPO_JOB_TIMEOUT=5s",
			// GitHub's dependency review gives every licence: deps.dev is
			// never asked, and never reached on the internet.
			"OSPO_DEPSDEV_URL=http://127.0.0.1:9",
		}
		r.p = startServe(t, bin, r.env, "http://"+r.addr)
		w.replicas = append(w.replicas, r)
	}
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w.st = st
	if seed != 0 {
		plan := githubfake.RandomFaults(seed, rate, githubfake.Status(500), githubfake.Status(502),
			githubfake.LostResponse(), githubfake.SecondaryRateLimit(time.Second))
		// Reads are many; writes are where exactly-once breaks. Three
		// faults in a row of one request would push River's backoff
		// (attempt⁴ seconds) past what a test can wait.
		plan.ReadRate, plan.MaxRun = rate/10, 2
		plan.Skip = func(r *http.Request) bool { return r.UserAgent() == driverAgent }
		gh.SetFaultPlan(plan)
		if n > 1 {
			w.killFrom = 1 + int(seed%4)
			w.renamed = seed%3 == 0
		}
	}
	w.scenarios()
	gh.SetFaultPlan(nil)
	got, err := chaos.Take(context.Background(), gh, st.DB, chaos.Options{Owner: "acme", Repos: []string{"ospo", "widget"}, Hosts: hosts})
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, w.queueOutcome()...)
	if seed != 0 {
		t.Logf("seed %d: %s; faults injected into the bot's requests:\n%s", seed, w.killNote(), strings.Join(w.faults(), "\n"))
	}
	for _, r := range w.replicas {
		r.p.cmd.Process.Signal(syscall.SIGTERM)
		<-r.p.done
		if s := r.p.stderr.String(); strings.Contains(s, "panic") {
			t.Errorf("replica %s panicked:\n%s", r.name, s)
		}
	}
	return got
}

const chaosSecret = "chaos-secret"

func (w *chaosWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *chaosWorld) seed() {
	gh := w.gh
	_, err := gh.AddOrg(githubfake.Org{Login: "acme"})
	w.must(err)
	_, err = gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": chaosPolicy}})
	w.must(err)
	_, err = gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Private: true, Files: map[string]string{"README.md": "OSPO reviews"}})
	w.must(err)
	_, err = gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Private: true, Files: map[string]string{"README.md": "# widget"}})
	w.must(err)
	_, err = gh.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo-leads"})
	w.must(err)
	w.must(gh.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead"}))
	_, err = gh.AddUser(githubfake.User{Login: "mallory"})
	w.must(err)
	_, err = gh.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}})
	w.must(err)
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	w.must(err)
	w.inst = in.ID
	token, err := gh.OwnerToken(in.ID)
	w.must(err)
	w.admin = github.NewClient(nil).WithAuthToken(token)
	w.admin.BaseURL, _ = url.Parse(gh.URL() + "/")
	w.admin.UserAgent = driverAgent
}

// scenarios plays the steps. Each step does one thing on GitHub, delivers
// its webhook, waits until every queue is idle and then requires what the
// step must have shown on GitHub.
func (w *chaosWorld) scenarios() {
	ctx := context.Background()
	alice := githubfake.Signature{Name: "Alice", Email: "alice@example.org", Login: "alice"}
	var review, feature, relicense, deps int
	steps := []struct {
		title string
		act   func()
		shows func() string // "" when the step shows what it must, else what is wrong
	}{
		{"acme/widget is made public without a LICENSE", func() {
			_, _, err := w.admin.Repositories.Edit(ctx, "acme", "widget", &github.Repository{Private: github.Bool(false)})
			w.must(err)
			r, _, err := w.admin.Repositories.Get(ctx, "acme", "widget")
			w.must(err)
			w.deliver("repository", &github.RepositoryEvent{Action: github.String("publicized"), Repo: r,
				Installation: &github.Installation{ID: github.Int64(w.inst)}, Sender: &github.User{Login: github.String("admin")}})
		}, func() string {
			is, ok := w.reviewIssue()
			if !ok || !strings.Contains(is.Body, "❌ **license**") {
				return fmt.Sprintf("no review issue with a failing license: %+v", is)
			}
			review = is.Number
			return ""
		}},
		{"a push adds an Apache-2.0 LICENSE", func() {
			text, _ := rules.StandardText("Apache-2.0")
			w.push("widget", "main", map[string]string{"LICENSE": text})
		}, func() string {
			if is, _ := w.gh.Issue("acme", "ospo", review); !strings.Contains(is.Body, "✅ **license**") {
				return "the checklist did not update: " + is.Body
			}
			return ""
		}},
		{"mallory comments /ospo approve", func() { w.comment("ospo", review, "mallory", "/ospo approve") }, func() string {
			cs := w.gh.Comments("acme", "ospo", review)
			if last := cs[len(cs)-1]; !strings.Contains(last.Body, "only members of @acme/ospo-leads") {
				return "no refusal; last comment: " + last.Body
			}
			if is, _ := w.gh.Issue("acme", "ospo", review); is.State != "open" {
				return "the review is " + is.State
			}
			return ""
		}},
		{"lead comments /ospo approve", func() { w.comment("ospo", review, "lead", "/ospo approve license checked") }, func() string {
			if is, _ := w.gh.Issue("acme", "ospo", review); is.State != "closed" {
				return "the review is " + is.State
			}
			return ""
		}},
		{"alice, who has not signed the CLA, opens a pull request", func() {
			feature = w.openPR("alice-feature", []string{"kind/feature"}, githubfake.NewCommit{Message: "Add a feature", Author: alice,
				Files: map[string]string{"feature.go": "package feature\n"}})
		}, func() string {
			cr, _ := w.checkRun(feature)
			if bot := w.botComments(feature); cr.Conclusion != "failure" || len(bot) != 1 || !strings.Contains(bot[0].Body, chaosPhrase) {
				return fmt.Sprintf("check run %s %q, %d bot comments", cr.Conclusion, cr.Output.Title, len(bot))
			}
			return ""
		}},
		{"alice signs with a comment", func() { w.comment("widget", feature, "alice", chaosPhrase) }, func() string {
			cr, _ := w.checkRun(feature)
			if bot := w.botComments(feature); cr.Conclusion != "success" || len(bot) != 1 || !strings.Contains(bot[0].Body, "✅") {
				return fmt.Sprintf("check run %s %q, %d bot comments", cr.Conclusion, cr.Output.Title, len(bot))
			}
			return ""
		}},
		{"alice opens an unlabelled pull request that changes LICENSE", func() {
			relicense = w.openPR("relicense", nil, githubfake.NewCommit{Message: "Relicense", Author: alice,
				Files: map[string]string{"LICENSE": "MIT License\n\nCopyright (c) acme\n"}})
		}, func() string {
			if cr, _ := w.checkRun(relicense); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "pr-labels") || !strings.Contains(cr.Output.Summary, "LICENSE") {
				return fmt.Sprintf("check run %s %q %q", cr.Conclusion, cr.Output.Title, cr.Output.Summary)
			}
			return ""
		}},
		{"the owner labels it kind/feature", func() {
			_, _, err := w.admin.Issues.AddLabelsToIssue(ctx, "acme", "widget", relicense, []string{"kind/feature"})
			w.must(err)
			w.prEvent(relicense, "labeled")
		}, func() string {
			if cr, _ := w.checkRun(relicense); cr.Conclusion != "failure" || strings.Contains(cr.Output.Title, "label") {
				return fmt.Sprintf("check run %s %q", cr.Conclusion, cr.Output.Title)
			}
			return ""
		}},
		{"lead approves the protected path", func() { w.comment("widget", relicense, "lead", "/ospo approve") }, func() string {
			if cr, _ := w.checkRun(relicense); cr.Conclusion != "success" {
				return fmt.Sprintf("check run %s %q %q", cr.Conclusion, cr.Output.Title, cr.Output.Summary)
			}
			return ""
		}},
		{"alice opens a pull request adding a GPL-3.0 npm dependency", func() {
			w.gh.SetPackageLicense("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")
			deps = w.openPR("gpl-thing", []string{"kind/feature"}, githubfake.NewCommit{Message: "Use gpl-thing", Author: alice,
				Files: map[string]string{"package.json": `{"name": "widget", "dependencies": {"gpl-thing": "2.0.0"}}` + "\n"}})
		}, func() string {
			if cr, _ := w.checkRun(deps); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "gpl-thing") {
				return fmt.Sprintf("check run %s %q %q", cr.Conclusion, cr.Output.Title, cr.Output.Summary)
			}
			return ""
		}},
		{"lead allows it", func() { w.comment("widget", deps, "lead", "/ospo allow pkg:npm/gpl-thing@2.0.0 legal review 42") }, func() string {
			if cr, _ := w.checkRun(deps); cr.Conclusion != "success" {
				return fmt.Sprintf("check run %s %q %q", cr.Conclusion, cr.Output.Title, cr.Output.Summary)
			}
			return ""
		}},
	}
	start := time.Now()
	for i, s := range steps {
		w.step = i + 1
		w.marks = append(w.marks, len(w.gh.Requests()))
		w.t.Logf("step %d at %.1fs: %s", w.step, time.Since(start).Seconds(), s.title)
		s.act()
		w.waitIdle()
		if wrong := s.shows(); wrong != "" {
			w.t.Fatalf("step %d, %s: %s\n%s", w.step, s.title, wrong, w.logs())
		}
	}
	if w.killFrom > 0 && w.killed == "" {
		// No step had replica B write first: it is killed anyway, at rest.
		w.kill(w.replicas[1], "at the end, between jobs")
		w.restart(w.replicas[1])
		w.waitIdle()
	}
}

func (w *chaosWorld) reviewIssue() (githubfake.Issue, bool) {
	for _, is := range w.gh.Issues("acme", "ospo") {
		if strings.HasPrefix(is.Title, "OSPO review: ") {
			return is, true
		}
	}
	return githubfake.Issue{}, false
}

// checkRun is the newest ospo/policy run on the pull request's head.
func (w *chaosWorld) checkRun(number int) (githubfake.CheckRun, bool) {
	p, _ := w.gh.PullRequest("acme", "widget", number)
	runs := w.gh.CheckRuns("acme", "widget")
	for i := len(runs) - 1; i >= 0; i-- {
		if cr := runs[i]; cr.HeadSHA == p.HeadSHA && cr.Name == "ospo/policy" {
			return cr, true
		}
	}
	return githubfake.CheckRun{}, false
}

func (w *chaosWorld) botComments(number int) []githubfake.Comment {
	var out []githubfake.Comment
	for _, c := range w.gh.Comments("acme", "widget", number) {
		if strings.HasSuffix(c.User, "[bot]") {
			out = append(out, c)
		}
	}
	return out
}

func (w *chaosWorld) push(repo, branch string, files map[string]string) {
	commits, err := w.gh.Push("acme", repo, branch, githubfake.NewCommit{Message: "Add files",
		Author: githubfake.Signature{Name: "Admin", Email: "admin@acme.example"}, Files: files})
	w.must(err)
	r, _ := w.gh.Repo("acme", repo)
	var added []string
	for p := range files {
		added = append(added, p)
	}
	w.deliver("push", &github.PushEvent{
		Ref: github.String("refs/heads/" + branch), After: github.String(commits[0].SHA),
		Commits:      []*github.HeadCommit{{ID: github.String(commits[0].SHA), Added: added}},
		Repo:         &github.PushEventRepository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()), DefaultBranch: github.String("main"), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(w.inst)},
	})
}

// comment writes a comment a second after what came before (an approval
// binds to the head at the comment's time, to the second) and delivers it.
func (w *chaosWorld) comment(repo string, number int, user, body string) {
	w.gh.Advance(time.Second)
	c, err := w.gh.AddComment("acme", repo, number, githubfake.Comment{User: user, Body: body})
	w.must(err)
	ev, err := w.gh.IssueCommentEvent(w.inst, "acme", repo, c, "created", user, nil)
	w.must(err)
	w.deliver("issue_comment", json.RawMessage(ev))
}

func (w *chaosWorld) openPR(branch string, labels []string, commits ...githubfake.NewCommit) int {
	_, err := w.gh.CreateBranch("acme", "widget", branch, "main")
	w.must(err)
	_, err = w.gh.Push("acme", "widget", branch, commits...)
	w.must(err)
	p, err := w.gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: branch, Labels: labels})
	w.must(err)
	w.prEvent(p.Number, "opened")
	return p.Number
}

func (w *chaosWorld) prEvent(number int, action string) {
	p, _, err := w.admin.PullRequests.Get(context.Background(), "acme", "widget", number)
	w.must(err)
	w.deliver("pull_request", &github.PullRequestEvent{Action: github.String(action), Number: github.Int(number),
		PullRequest: p, Repo: p.GetBase().GetRepo(), Installation: &github.Installation{ID: github.Int64(w.inst)}, Sender: p.GetUser()})
}

// deliver sends one delivery to every replica, under one delivery ID, as
// a retrying GitHub or proxy may. From the kill step on, while no replica
// has been killed yet, it goes to replica B first, and B is SIGKILLed as
// soon as it makes its first GitHub write for it (mid-job, after a side
// effect landed), then restarted; the delivery then goes to A and B.
func (w *chaosWorld) deliver(event string, payload any) {
	w.t.Helper()
	body, err := json.Marshal(payload)
	w.must(err)
	w.seq++
	id := fmt.Sprintf("chaos-%d", w.seq)
	if w.killFrom == 0 || w.step < w.killFrom || w.killed != "" {
		var wg sync.WaitGroup
		errs := make([]error, len(w.replicas))
		for i, r := range w.replicas {
			wg.Go(func() { errs[i] = postDelivery(r.addr, event, id, body) })
		}
		wg.Wait()
		for _, err := range errs {
			w.must(err)
		}
		return
	}
	a, b := w.replicas[0], w.replicas[1]
	mark := len(w.gh.Requests())
	w.must(postDelivery(b.addr, event, id, body))
	if w.waitWrite(b, mark) {
		w.kill(b, fmt.Sprintf("step %d (%s delivery), on its first GitHub write", w.step, event))
		w.must(postDelivery(a.addr, event, id, body))
		w.restart(b)
	} else {
		w.must(postDelivery(a.addr, event, id, body))
	}
	w.must(postDelivery(b.addr, event, id, body))
}

// waitWrite waits until replica r makes a write request after the mark
// (true), or the queues are idle without one (false).
func (w *chaosWorld) waitWrite(r *chaosReplica, mark int) bool {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		reqs := w.gh.Requests()
		for _, q := range reqs[min(mark, len(reqs)):] {
			if q.Host == r.host && q.Method != http.MethodGet && q.Method != http.MethodHead && !strings.HasSuffix(q.Path, "/access_tokens") {
				return true
			}
		}
		if w.idle() {
			return false
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("replica %s neither wrote nor finished\n%s", r.name, w.logs())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *chaosWorld) kill(r *chaosReplica, when string) {
	w.must(r.p.cmd.Process.Signal(syscall.SIGKILL))
	<-r.p.done
	w.killed = fmt.Sprintf("replica %s SIGKILLed %s", r.name, when)
}

func (w *chaosWorld) restart(r *chaosReplica) {
	r.prev += r.p.stderr.String() + "(SIGKILL)\n"
	if w.renamed {
		r.env = append(slices.Clone(r.env), "OSPO_REPLICA_ID=chaos-"+r.name+"-renamed")
		w.killed += ", restarted under another replica_id"
	} else {
		w.killed += ", restarted under its replica_id"
	}
	r.p = startServe(w.t, w.bin, r.env, "http://"+r.addr)
}

func (w *chaosWorld) killNote() string {
	if w.killed == "" {
		return "no replica killed"
	}
	return w.killed
}

func postDelivery(addr, event, id string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/github/hook", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/chaos")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", signChaos(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s delivery %s to %s: %d", event, id, addr, resp.StatusCode)
	}
	return nil
}

// idle: no job waiting, running, snoozed or to be retried, on any replica
// (they share the database).
func (w *chaosWorld) idle() bool {
	var pending int
	err := w.st.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')
		AND NOT (kind = 'dashboard' AND state = 'scheduled')`).Scan(&pending) // a dashboard update waits out its debounce
	w.must(err)
	return pending == 0
}

// waitIdle waits until every job is done. A replica killed with a job
// running leaves it to River's rescuer (OSPO_JOB_TIMEOUT and a bit, then
// the rescuer's next round), and River's backoff grows with each attempt:
// the wait is generous, and polls.
func (w *chaosWorld) waitIdle() {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for !w.idle() {
		if time.Now().After(deadline) {
			w.t.Fatalf("step %d: the queues are not idle after 10 minutes\n%s", w.step, w.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// queueOutcome: jobs River gave up on and deliveries that failed are part
// of the end state (none in the fault-free run).
func (w *chaosWorld) queueOutcome() []string {
	var out []string
	rows, err := w.st.DB.Query(`SELECT kind, state, COUNT(*) FROM river_job WHERE state IN ('discarded', 'cancelled') GROUP BY kind, state ORDER BY kind, state`)
	w.must(err)
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int
		w.must(rows.Scan(&kind, &state, &n))
		out = append(out, fmt.Sprintf("river %s jobs %s: %d", kind, state, n))
	}
	w.must(rows.Err())
	var failed int
	w.must(w.st.DB.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE outcome <> 'processed'`).Scan(&failed))
	out = append(out, fmt.Sprintf("deliveries not processed: %d", failed))
	return out
}

// faults lists the faults the plan injected, in order.
func (w *chaosWorld) faults() []string {
	var out []string
	for i, r := range w.gh.Requests() {
		step := 0
		for step < len(w.marks) && w.marks[step] <= i {
			step++
		}
		if r.Fault != "" {
			replica := "?"
			for _, rep := range w.replicas {
				if rep.host == r.Host {
					replica = rep.name
				}
			}
			out = append(out, fmt.Sprintf("  step %d: %s %s %s → %s (answer %d)", step, replica, r.Method, r.Path, r.Fault, r.Status))
		}
	}
	return out
}

func (w *chaosWorld) logs() string {
	var b strings.Builder
	for _, r := range w.replicas {
		fmt.Fprintf(&b, "replica %s:\n%s%s\n", r.name, r.prev, r.p.stderr.String())
	}
	return b.String()
}

func signChaos(body []byte) string {
	mac := hmac.New(sha256.New, []byte(chaosSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
