package githubfake

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// spec is GitHub's REST API description, loaded, patched and routed. It is
// read-only once loaded and shared by every fake of the test binary.
type spec struct {
	doc    *openapi3.T
	router routers.Router
}

type specEntry struct {
	once sync.Once
	spec *spec
	err  error
}

// specCache holds the loaded descriptions by absolute path: loading one
// takes a while, and it never changes.
var specCache sync.Map

// loadSpec loads an API description once per path and test binary.
func loadSpec(path string) (*spec, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	e, _ := specCache.LoadOrStore(abs, &specEntry{})
	entry := e.(*specEntry)
	entry.once.Do(func() { entry.spec, entry.err = readSpec(abs) })
	return entry.spec, entry.err
}

// OctokitOnlyRoutes are the operations Octokit's copy of the description
// adds and GitHub's does not describe; the fake drops them when it loads a
// description.
func OctokitOnlyRoutes() []Route {
	return []Route{
		{Method: http.MethodGet, Template: "/orgs/{org}/organization-fine-grained-permissions"},
		{Method: http.MethodGet, Template: "/repos/{owner}/{repo}/compare/{base}...{head}"},
	}
}

// ReadSpecFile reads an API description, gunzipping a .gz file.
func ReadSpecFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

func readSpec(path string) (*spec, error) {
	data, err := ReadSpecFile(path)
	if err != nil {
		return nil, fmt.Errorf("githubfake: reading the API description: %w", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("githubfake: loading %s: %w", path, err)
	}
	for _, rt := range OctokitOnlyRoutes() {
		if item := doc.Paths.Value(rt.Template); item != nil {
			item.SetOperation(rt.Method, nil)
			if len(item.Operations()) == 0 {
				doc.Paths.Delete(rt.Template)
			}
		}
	}
	if err := patchSpec(doc); err != nil {
		return nil, fmt.Errorf("githubfake: patching %s: %w", path, err)
	}
	// The fake is not api.github.com: route on paths only.
	doc.Servers = nil
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("githubfake: %s is not a valid description: %w", path, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("githubfake: routing %s: %w", path, err)
	}
	return &spec{doc: doc, router: router}, nil
}

func jsonSchema(op *openapi3.Operation) *openapi3.Schema {
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// patchSpec restores what Octokit's copy of the description dropped from
// GitHub's (see testdata/github/openapi/README.md).
func patchSpec(doc *openapi3.T) error {
	// 1. POST and PUT .../issues/{issue_number}/labels also take a bare
	// array of labels, or a single label name.
	labels := doc.Paths.Value("/repos/{owner}/{repo}/issues/{issue_number}/labels")
	if labels == nil {
		return errors.New("no /repos/{owner}/{repo}/issues/{issue_number}/labels")
	}
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		s := jsonSchema(labels.GetOperation(method))
		if s == nil || len(s.OneOf) == 0 {
			return fmt.Errorf("%s .../labels has no oneOf request body", method)
		}
		if slices.ContainsFunc(s.OneOf, func(r *openapi3.SchemaRef) bool { return r.Value.Type.Is("array") }) {
			continue // already has the bare forms
		}
		var extra openapi3.SchemaRefs
		for _, alt := range s.OneOf {
			prop := alt.Value.Properties["labels"]
			if prop == nil || !prop.Value.Type.Is("array") {
				continue
			}
			arr := openapi3.NewArraySchema()
			arr.Items = prop.Value.Items
			arr.MinItems = prop.Value.MinItems
			if method == http.MethodPut && prop.Value.Items.Value.Type.Is("string") {
				// "You can pass an empty array to remove all labels."
				arr.MinItems = 0
			}
			extra = append(extra, openapi3.NewSchemaRef("", arr))
		}
		extra = append(extra, openapi3.NewSchemaRef("", openapi3.NewStringSchema()))
		s.OneOf = append(s.OneOf, extra...)
	}

	// 2. POST .../check-runs: GitHub's operation requires a conclusion when
	// status is completed or completed_at is given; Octokit's copy lost it.
	// The rule is the one the description states in words and applies to
	// PATCH .../check-runs/{check_run_id}.
	runs := doc.Paths.Value("/repos/{owner}/{repo}/check-runs")
	s := jsonSchema(runs.GetOperation(http.MethodPost))
	if s == nil {
		return errors.New("no POST /repos/{owner}/{repo}/check-runs body")
	}
	if len(s.AnyOf) == 0 && len(s.OneOf) == 0 {
		withConclusion := openapi3.NewSchema()
		withConclusion.Required = []string{"conclusion"}
		notCompleted := openapi3.NewSchema()
		notCompleted.Properties = openapi3.Schemas{
			"status": openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithEnum("queued", "in_progress")),
		}
		completedAt := openapi3.NewSchema()
		completedAt.Required = []string{"completed_at"}
		notCompleted.Not = openapi3.NewSchemaRef("", completedAt)
		s.AnyOf = openapi3.SchemaRefs{openapi3.NewSchemaRef("", withConclusion), openapi3.NewSchemaRef("", notCompleted)}
	}
	// 3. GET /app/installations: the description's installation items say
	// the account is a simple-user AND an enterprise (allOf), which no
	// account is; GET /app/installations/{installation_id} describes the
	// same installation's account as either (anyOf), as GitHub sends it.
	if list := doc.Paths.Value("/app/installations"); list != nil && list.Get != nil {
		if rr := list.Get.Responses.Status(http.StatusOK); rr != nil && rr.Value != nil {
			if mt := rr.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value.Items != nil {
				if acct := mt.Schema.Value.Items.Value.Properties["account"]; acct != nil && len(acct.Value.AllOf) > 1 {
					acct.Value.AnyOf, acct.Value.AllOf = acct.Value.AllOf, nil
				}
			}
		}
	}
	return nil
}

// violation is a request GitHub would not accept, and what to answer.
type violation struct {
	message string
	reply   reply
}

// check compares a request with the description: its route (the fake's and
// GitHub's must agree), then its parameters and body.
func (s *spec) check(r *http.Request, body []byte, rt *route, params map[string]string) *violation {
	where := r.Method + " " + r.URL.RequestURI()
	ghRoute, _, err := s.router.FindRoute(r)
	if rt == nil {
		msg := where + ": GitHub's REST API has no such route"
		switch {
		case err == nil:
			msg = fmt.Sprintf("%s: GitHub serves %s %s, but githubfake does not", where, r.Method, ghRoute.Path)
		case errors.Is(err, routers.ErrMethodNotAllowed):
			msg = fmt.Sprintf("%s: GitHub's REST API has no %s on this route", where, r.Method)
		}
		return &violation{message: msg, reply: notFound()}
	}
	if !spansSegments(rt, params) && (err != nil || ghRoute.Path != rt.template) {
		msg := fmt.Sprintf("%s: githubfake matched %s, but GitHub's REST API has no such route", where, rt.template)
		if err == nil {
			msg = fmt.Sprintf("%s: GitHub serves %s %s, but githubfake does not (it matched %s)", where, r.Method, ghRoute.Path, rt.template)
		}
		return &violation{message: msg, reply: notFound()}
	}
	item := s.doc.Paths.Value(rt.template)
	var op *openapi3.Operation
	if item != nil {
		op = item.GetOperation(r.Method)
	}
	if op == nil {
		return &violation{
			message: fmt.Sprintf("%s: githubfake serves %s %s, which the API description lacks", where, r.Method, rt.template),
			reply:   notFound(),
		}
	}
	// Routes that take no credentials (the manifest conversion) are called
	// before there is an App. The flag is about installation tokens: user
	// access tokens and the client's credentials (oauth.go) are not them.
	if x, ok := op.Extensions["x-github"].(map[string]any); ok && x["enabledForGitHubApps"] == false && rt.auth != authNone && rt.auth != authUser && rt.auth != authClient {
		return &violation{
			message: fmt.Sprintf("%s: %s %s is not available to GitHub Apps", where, r.Method, rt.template),
			reply:   forbidden("Resource not accessible by integration"),
		}
	}

	// ghinstallation sends the JSON literal null as the body of POST
	// .../access_tokens when it has no options; GitHub takes null for an
	// optional body as no body, the description's schema does not.
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) && (op.RequestBody == nil || !op.RequestBody.Value.Required) {
		body = nil
	}
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = nil
	req.ContentLength = int64(len(body))
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults: true,
		MultiError:          true,
	}
	opts.WithCustomSchemaErrorFunc(schemaError)
	// An empty multi-segment parameter (the repository root in
	// .../contents/) is one GitHub accepts; kin-openapi takes "" for missing.
	pathParams := map[string]string{}
	for k, v := range params {
		pathParams[k] = v
	}
	for _, sg := range rt.segs {
		if sg.kind == segRest && pathParams[sg.text] == "" {
			pathParams[sg.text] = "/"
		}
	}
	err = openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      &routers.Route{Spec: s.doc, Path: rt.template, PathItem: item, Method: r.Method, Operation: op},
		Options:    opts,
	})
	if err == nil {
		return nil
	}
	detail := describe(err)
	if badJSON(err) {
		return &violation{message: where + ": body is not JSON: " + detail, reply: errReply(http.StatusBadRequest, "Problems parsing JSON")}
	}
	return &violation{
		message: fmt.Sprintf("%s: GitHub's API description rejects it: %s", where, detail),
		reply:   unprocessable("Invalid request.\n\n" + detail),
	}
}

// spansSegments reports whether a multi-segment parameter holds a slash, or
// is empty (the root of .../contents/), which GitHub accepts but the
// description's router cannot follow.
func spansSegments(rt *route, params map[string]string) bool {
	for _, s := range rt.segs {
		if s.kind == segRest && (params[s.text] == "" || strings.Contains(params[s.text], "/")) {
			return true
		}
	}
	return false
}

func requestErrors(err error) []error {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []error
		for _, e := range me {
			out = append(out, requestErrors(e)...)
		}
		return out
	}
	return []error{err}
}

func describe(err error) string {
	var parts []string
	for _, e := range requestErrors(err) {
		var re *openapi3filter.RequestError
		if errors.As(e, &re) {
			what := "request body"
			if re.Parameter != nil {
				what = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
			}
			msg := re.Reason
			if re.Err != nil {
				if msg != "" {
					msg += ": "
				}
				msg += strings.Join(strings.Fields(re.Err.Error()), " ")
			}
			parts = append(parts, what+": "+msg)
			continue
		}
		parts = append(parts, strings.Join(strings.Fields(e.Error()), " "))
	}
	return strings.Join(parts, "; ")
}

func badJSON(err error) bool {
	for _, e := range requestErrors(err) {
		var re *openapi3filter.RequestError
		if errors.As(e, &re) && re.Parameter == nil && strings.Contains(re.Reason, "failed to decode request body") {
			return true
		}
	}
	return false
}

// anyOperationMay lists statuses GitHub may answer to any request, whether
// or not the operation documents them: bad credentials (401), a missing
// permission or a rate limit (403, 429), a resource the caller cannot see
// (404), and its own failures (5xx). A response with such a status is
// checked against the operation's description only when it documents it.
// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
// A request with a body may also be refused with 422 Validation Failed:
// "Sending invalid fields will result in a 422 Unprocessable Entity
// response" (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#client-errors),
// and GitHub does so where the description documents no 422 (a check run's
// summary: "summary exceeds a maximum bytesize of 65535",
// https://github.com/github/docs/issues/35252; the description keeps
// gaining the 422s it lacked, e.g. github/rest-api-description#4128).
func anyOperationMay(method string, status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests:
		return true
	case http.StatusUnprocessableEntity:
		return method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut
	}
	return status >= 500
}

// checkResponse compares a response of the fake with the API description:
// its status must be one the operation documents, and its headers and body
// must match the description of that status. It returns the violation, or
// "" when GitHub could have answered so.
func (s *spec) checkResponse(r *http.Request, rt *route, params map[string]string, out output) string {
	if rt == nil || out.status == http.StatusNotModified {
		return ""
	}
	item := s.doc.Paths.Value(rt.template)
	if item == nil {
		return ""
	}
	op := item.GetOperation(r.Method)
	if op == nil || op.Responses == nil {
		return ""
	}
	if op.Responses.Status(out.status) == nil && anyOperationMay(r.Method, out.status) {
		if out.status == http.StatusUnprocessableEntity {
			return s.checkValidationFailed(r, out)
		}
		return ""
	}
	// kin-openapi checks the status and the headers; the body is decoded
	// once, here, to add the nulls go-github leaves out (addNulls).
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		ExcludeResponseBody:   true,
		MultiError:            true,
	}
	opts.WithCustomSchemaErrorFunc(schemaError)
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route:      &routers.Route{Spec: s.doc, Path: rt.template, PathItem: item, Method: r.Method, Operation: op},
			Options:    opts,
		},
		Status:  out.status,
		Header:  out.header,
		Options: opts,
	}
	input.SetBodyBytes(out.body)
	err := openapi3filter.ValidateResponse(r.Context(), input)
	if err == nil && !rawMediaType(r, out) {
		err = checkResponseBody(op.Responses.Status(out.status), out)
	}
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%s %s: githubfake answered %d, which GitHub's API description does not allow: %s",
		r.Method, r.URL.RequestURI(), out.status, describeResponse(err))
}

// rawMediaType: a file's raw content, asked for with the raw media type.
// GitHub's description lists only the JSON forms of GET /contents, but
// its documentation names application/vnd.github.raw(+json) too
// (https://docs.github.com/rest/repos/contents#get-repository-content),
// and that answer is the file's bytes, with no schema to check.
func rawMediaType(r *http.Request, out output) bool {
	return out.status == http.StatusOK && strings.Contains(r.Header.Get("Accept"), "vnd.github.") &&
		strings.Contains(r.Header.Get("Accept"), "raw") &&
		strings.HasPrefix(out.header.Get("Content-Type"), "application/vnd.github.raw") &&
		strings.Contains(r.URL.Path, "/contents/")
}

// checkResponseBody checks a body against the description of its status,
// as openapi3filter.ValidateResponse would, after addNulls.
func checkResponseBody(ref *openapi3.ResponseRef, out output) error {
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return nil
	}
	ct := out.header.Get("Content-Type")
	mt := ref.Value.Content.Get(ct)
	if mt == nil {
		return fmt.Errorf("the description has no %q body for this status", ct)
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(out.body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	addNulls(v, mt.Schema.Value, 0)
	return mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaError))
}

func schemaError(e *openapi3.SchemaError) string {
	if p := e.JSONPointer(); len(p) > 0 {
		return fmt.Sprintf("%s: %s", strings.Join(p, "/"), e.Reason)
	}
	return e.Reason
}

// describeResponse lists the problems of a response once each, with array
// indices written as "*" (a list of 100 items has the same problem 100
// times), at most maxProblems of them.
func describeResponse(err error) string {
	const maxProblems = 40
	var parts []string
	seen := map[string]bool{}
	add := func(msg string) {
		msg = arrayIndex.ReplaceAllString(strings.Join(strings.Fields(msg), " "), "${1}*${2}")
		if !seen[msg] {
			seen[msg] = true
			parts = append(parts, msg)
		}
	}
	for _, e := range requestErrors(err) {
		var re *openapi3filter.ResponseError
		if errors.As(e, &re) {
			add(re.Reason)
			if re.Err != nil {
				for _, inner := range requestErrors(re.Err) {
					add(inner.Error())
				}
			}
			continue
		}
		add(e.Error())
	}
	if len(parts) > maxProblems {
		parts = append(parts[:maxProblems], fmt.Sprintf("and %d more", len(parts)-maxProblems))
	}
	return strings.Join(parts, "; ")
}

var arrayIndex = regexp.MustCompile(`(^|/)[0-9]+(/|:)`)

// addNulls adds to v, a decoded JSON body, null for each property the
// description requires and allows to be null but v lacks, walking v along
// s. GitHub sends these nulls ("milestone": null); the fake builds its
// bodies from go-github's types, whose omitempty drops them, and go-github
// (like any client) reads an absent property and a null one alike.
// Required properties that may not be null are still required.
func addNulls(v any, s *openapi3.Schema, depth int) {
	if s == nil || depth > 32 {
		return
	}
	for _, alts := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, alt := range alts {
			addNulls(v, alt.Value, depth+1)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := x[name]; !ok {
				if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Nullable {
					x[name] = nil
				}
			}
		}
		for name, val := range x {
			p := s.Properties[name]
			if p == nil {
				p = s.AdditionalProperties.Schema
			}
			if p != nil {
				addNulls(val, p.Value, depth+1)
			}
		}
	case []any:
		if s.Items != nil {
			for _, item := range x {
				addNulls(item, s.Items.Value, depth+1)
			}
		}
	}
}

// checkValidationFailed checks an undocumented 422 against GitHub's
// validation error shapes (the description's validation-error and
// validation-error-simple), which every documented 422 uses.
func (s *spec) checkValidationFailed(r *http.Request, out output) string {
	var body any
	if err := json.Unmarshal(out.body, &body); err == nil {
		for _, name := range []string{"validation-error", "validation-error-simple"} {
			if ref := s.doc.Components.Schemas[name]; ref != nil && ref.Value.VisitJSON(body) == nil {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s %s: githubfake answered 422 in a shape GitHub's validation errors never have: %s",
		r.Method, r.URL.RequestURI(), out.body)
}
