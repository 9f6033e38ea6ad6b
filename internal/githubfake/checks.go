package githubfake

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/go-github/v66/github"
)

var (
	checkStatuses    = []string{"queued", "in_progress", "completed", "waiting", "requested", "pending"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}
)

type checkRunActionJSON struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Identifier  string `json:"identifier"`
}

// checkRunJSON adds what go-github's CheckRun lacks.
type checkRunJSON struct {
	*github.CheckRun
	Actions      []checkRunActionJSON  `json:"actions"`
	App          appJSON               `json:"app"`           // a whole integration
	PullRequests []*github.PullRequest `json:"pull_requests"` // present when empty
}

func (f *Fake) checkRunJSON(c *call, r *repo, cr *checkRun) checkRunJSON {
	api := fmt.Sprintf("%s/repos/%s/check-runs/%d", c.base, r.fullName(), cr.id)
	slug := f.opts.AppSlug
	name := f.opts.AppName
	if cr.appID != f.opts.AppID {
		slug = "app-" + strconv.FormatInt(cr.appID, 10)
		name = slug
	}
	run := &github.CheckRun{
		ID: ptr(cr.id), NodeID: ptr(nodeID("CR_", cr.id)), HeadSHA: ptr(cr.headSHA), Name: ptr(cr.name),
		ExternalID: ptr(cr.externalID), URL: ptr(api), DetailsURL: ptr(cr.detailsURL),
		HTMLURL: ptr(fmt.Sprintf("%s/%s/runs/%d", f.opts.WebURL, r.fullName(), cr.id)),
		Status:  ptr(cr.status), StartedAt: ts(cr.startedAt), CompletedAt: ts(cr.completedAt),
		Output: &github.CheckRunOutput{
			Title: ptr(cr.output.Title), Summary: ptr(cr.output.Summary), Text: ptr(cr.output.Text),
			AnnotationsCount: ptr(len(cr.output.Annotations)), AnnotationsURL: ptr(api + "/annotations"),
		},
		CheckSuite:   &github.CheckSuite{ID: ptr(cr.suiteID)},
		App:          &github.App{ID: ptr(cr.appID), Slug: ptr(slug), Name: ptr(name), NodeID: ptr(nodeID("A_", cr.appID)), HTMLURL: ptr(f.opts.WebURL + "/apps/" + slug)},
		PullRequests: []*github.PullRequest{},
	}
	if cr.conclusion != "" {
		run.Conclusion = ptr(cr.conclusion)
	}
	out := checkRunJSON{CheckRun: run, Actions: []checkRunActionJSON{}, App: f.appInfo(c), PullRequests: run.PullRequests}
	if cr.appID != f.opts.AppID {
		out.App.ID, out.App.Slug, out.App.Name, out.App.NodeID = cr.appID, slug, name, nodeID("A_", cr.appID)
		out.App.ExternalURL, out.App.HTMLURL = f.opts.WebURL+"/apps/"+slug, f.opts.WebURL+"/apps/"+slug
	}
	for _, a := range cr.actions {
		out.Actions = append(out.Actions, checkRunActionJSON(a))
	}
	return out
}

type checkRunBody struct {
	Name        *string    `json:"name"`
	HeadSHA     *string    `json:"head_sha"`
	DetailsURL  *string    `json:"details_url"`
	ExternalID  *string    `json:"external_id"`
	Status      *string    `json:"status"`
	Conclusion  *string    `json:"conclusion"`
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
	Output      *struct {
		Title       *string `json:"title"`
		Summary     *string `json:"summary"`
		Text        *string `json:"text"`
		Annotations []struct {
			Path            string `json:"path"`
			StartLine       int    `json:"start_line"`
			EndLine         int    `json:"end_line"`
			StartColumn     int    `json:"start_column,omitempty"`
			EndColumn       int    `json:"end_column,omitempty"`
			AnnotationLevel string `json:"annotation_level"`
			Message         string `json:"message"`
			Title           string `json:"title"`
		} `json:"annotations"`
	} `json:"output"`
	Actions *[]checkRunActionJSON `json:"actions"`
}

// apply validates the body and writes it into cr, as a create (with name and
// head_sha) or an update.
func (f *Fake) applyCheckRun(cr *checkRun, b *checkRunBody) *reply {
	bad := func(field, msg string) *reply {
		rep := invalid("CheckRun", field, "invalid", msg)
		return &rep
	}
	if b.Name != nil {
		if *b.Name == "" {
			return bad("name", "name can't be blank")
		}
		cr.name = *b.Name
	}
	if b.Status != nil && !slices.Contains(checkStatuses, *b.Status) {
		return bad("status", "")
	}
	if b.Conclusion != nil && !slices.Contains(checkConclusions, *b.Conclusion) {
		return bad("conclusion", "")
	}
	if b.Output != nil {
		if b.Output.Title == nil || b.Output.Summary == nil {
			return bad("output", "output needs a title and a summary")
		}
		if rep := checkOutputTooLong("summary", b.Output.Summary); rep != nil {
			return rep
		}
		if rep := checkOutputTooLong("text", b.Output.Text); rep != nil {
			return rep
		}
		if len(b.Output.Annotations) > 50 {
			return bad("output", "at most 50 annotations per request")
		}
		for _, a := range b.Output.Annotations {
			// "Annotations only support start_column and end_column on the
			// same line. Omit this parameter if start_line and end_line
			// have different values."
			// (https://docs.github.com/rest/checks/runs#create-a-check-run)
			if (a.StartColumn != 0 || a.EndColumn != 0) && a.StartLine != a.EndLine {
				return bad("annotations", "start_column and end_column are only allowed on one line (start_line = end_line)")
			}
		}
	}
	if b.Actions != nil {
		if len(*b.Actions) > 3 {
			return bad("actions", "at most 3 actions")
		}
		for _, a := range *b.Actions {
			if a.Label == "" || len(a.Label) > 20 || a.Description == "" || len(a.Description) > 40 || a.Identifier == "" || len(a.Identifier) > 20 {
				return bad("actions", "an action needs a label (20), a description (40) and an identifier (20)")
			}
		}
	}
	status := cr.status
	if b.Status != nil {
		status = *b.Status
	}
	conclusion := cr.conclusion
	if b.Conclusion != nil {
		conclusion = *b.Conclusion
		status = "completed"
	}
	if b.CompletedAt != nil && conclusion == "" {
		return bad("conclusion", "Conclusion can't be blank when completed_at is given")
	}
	if status == "completed" && conclusion == "" {
		return bad("conclusion", "Conclusion can't be blank when status is completed")
	}
	if status != "completed" {
		conclusion = ""
	}
	cr.status, cr.conclusion = status, conclusion
	if b.DetailsURL != nil {
		cr.detailsURL = *b.DetailsURL
	}
	if b.ExternalID != nil {
		cr.externalID = *b.ExternalID
	}
	if b.StartedAt != nil {
		cr.startedAt = b.StartedAt.UTC()
	}
	switch {
	case b.CompletedAt != nil:
		cr.completedAt = b.CompletedAt.UTC()
	case status == "completed" && cr.completedAt.IsZero():
		cr.completedAt = f.now()
	case status != "completed":
		cr.completedAt = time.Time{}
	}
	if b.Output != nil {
		cr.output.Title = deref(b.Output.Title)
		cr.output.Summary = deref(b.Output.Summary)
		cr.output.Text = deref(b.Output.Text)
		for _, a := range b.Output.Annotations {
			cr.output.Annotations = append(cr.output.Annotations, CheckRunAnnotation(a))
		}
	}
	if b.Actions != nil {
		cr.actions = nil
		for _, a := range *b.Actions {
			cr.actions = append(cr.actions, CheckRunAction(a))
		}
	}
	return nil
}

func (f *Fake) createCheckRun(c *call) reply {
	r, rep := f.repoFor(c, true)
	if rep != nil {
		return *rep
	}
	var body checkRunBody
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	if body.Name == nil || *body.Name == "" {
		return invalid("CheckRun", "name", "missing_field", "")
	}
	if body.HeadSHA == nil || *body.HeadSHA == "" {
		return invalid("CheckRun", "head_sha", "missing_field", "")
	}
	head := r.commits[*body.HeadSHA]
	if head == nil {
		return unprocessable("No commit found for SHA: " + *body.HeadSHA)
	}
	cr := &checkRun{headSHA: head.sha, status: "queued", startedAt: f.now(), appID: f.opts.AppID}
	if rep := f.applyCheckRun(cr, &body); rep != nil {
		return *rep
	}
	cr.id = f.st.id(0)
	cr.suiteID = f.suite(r, cr.appID, head.sha)
	r.checkRuns = append(r.checkRuns, cr)
	return created(f.checkRunJSON(c, r, cr))
}

func (f *Fake) checkRunFor(c *call, write bool) (*repo, *checkRun, *reply) {
	r, rep := f.repoFor(c, write)
	if rep != nil {
		return nil, nil, rep
	}
	id, err := strconv.ParseInt(c.param("check_run_id"), 10, 64)
	if err != nil || r.checkRun(id) == nil {
		rep := notFound()
		return nil, nil, &rep
	}
	return r, r.checkRun(id), nil
}

func (f *Fake) getCheckRun(c *call) reply {
	r, cr, rep := f.checkRunFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(f.checkRunJSON(c, r, cr))
}

func (f *Fake) updateCheckRun(c *call) reply {
	r, cr, rep := f.checkRunFor(c, true)
	if rep != nil {
		return *rep
	}
	if cr.appID != f.opts.AppID {
		return forbidden("Invalid app_id `" + strconv.FormatInt(f.opts.AppID, 10) + "` - check run can only be modified by the GitHub App that created it.")
	}
	var body checkRunBody
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	// "Once a check run transitions from the in_progress state to completed
	// state, it's not possible to modify its status nor its conclusion
	// further" (https://github.com/orgs/community/discussions/24761; met in
	// production by https://github.com/lyft/atlantis/pull/265): a
	// re-check creates a new check run
	// (https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-checks).
	if cr.status == "completed" && body.Status != nil && *body.Status != "completed" {
		return invalid("CheckRun", "status", "custom", "status cannot be changed from completed to "+*body.Status)
	}
	updated := *cr
	// Annotations are appended on every update, never replaced: "Each time
	// you update the check run, annotations are appended to the list of
	// annotations that already exist for the check run"
	// (https://docs.github.com/rest/checks/runs#update-a-check-run).
	updated.output.Annotations = slices.Clone(cr.output.Annotations)
	if rep := f.applyCheckRun(&updated, &body); rep != nil {
		return *rep
	}
	*cr = updated
	return ok(f.checkRunJSON(c, r, cr))
}

func (f *Fake) listCheckRunsForRef(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	head := r.resolve(c.param("ref"))
	if head == nil {
		return unprocessable("No commit found for SHA: " + c.param("ref"))
	}
	name, status := c.query.Get("check_name"), c.query.Get("status")
	appID, _ := strconv.ParseInt(c.query.Get("app_id"), 10, 64)
	latestOnly := c.query.Get("filter") != "all"
	var runs []*checkRun
	for i := len(r.checkRuns) - 1; i >= 0; i-- { // newest first
		cr := r.checkRuns[i]
		if cr.headSHA != head.sha || (name != "" && cr.name != name) || (status != "" && cr.status != status) ||
			(appID != 0 && cr.appID != appID) {
			continue
		}
		if latestOnly && slices.ContainsFunc(runs, func(o *checkRun) bool { return o.name == cr.name && o.appID == cr.appID }) {
			continue
		}
		runs = append(runs, cr)
	}
	out := struct {
		TotalCount int            `json:"total_count"`
		CheckRuns  []checkRunJSON `json:"check_runs"`
	}{TotalCount: len(runs), CheckRuns: []checkRunJSON{}}
	for _, cr := range paginate(c, runs) {
		out.CheckRuns = append(out.CheckRuns, f.checkRunJSON(c, r, cr))
	}
	return ok(out)
}
