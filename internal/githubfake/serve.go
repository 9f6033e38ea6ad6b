package githubfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	docsURL     = "https://docs.github.com/rest"
	maxBodySize = 25 << 20
)

// call is one request on its way through the fake.
type call struct {
	req    *http.Request
	start  time.Time
	body   []byte
	route  *route
	params map[string]string
	query  url.Values
	base   string      // scheme and host the client used, for URLs in bodies
	header http.Header // extra response headers (Link, ...)
	reply  reply

	tok         *token   // the installation token, for installation routes
	user        *account // the user of a user access token (oauth.go)
	appJWT      bool     // authenticated with the app's JWT
	bucket      int64    // rate-limit bucket: installation ID, 0 for the app
	rateLimited bool     // this request is subject to the primary rate limit
	fault       string
	lost        bool // LostResponse: answer computed, then dropped
}

// reply is what a handler answers.
type reply struct {
	status int
	body   any // JSON-encoded; nil: no body
	// raw, when not nil, is the body as is (a file's raw content, asked
	// for with the application/vnd.github.raw media type).
	raw []byte
}

// output is the final response, written after f.mu is released.
type output struct {
	status int
	header http.Header
	body   []byte
}

func (o output) write(w http.ResponseWriter) {
	for k, vs := range o.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(o.status)
	if len(o.body) > 0 {
		_, _ = w.Write(o.body)
	}
}

func (c *call) param(name string) string { return c.params[name] }

// decode unmarshals the request body into v; a malformed body is a 400.
func (c *call) decode(v any) *reply {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			rep := errReply(http.StatusBadRequest, "Problems parsing JSON")
			return &rep
		}
		rep := unprocessable("Invalid request.\n\n" + err.Error())
		return &rep
	}
	return nil
}

// has reports whether the JSON body object has the key (so that an explicit
// null or empty value can be told from an absent one).
func (c *call) has(key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(c.body, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}

// begin reads the request, routes it and checks it against the API
// description. A non-nil reply ends the request early.
func (f *Fake) begin(r *http.Request) (*call, *reply) {
	c := &call{
		req:    r,
		start:  f.now(),
		query:  r.URL.Query(),
		header: http.Header{},
		base:   "http://" + r.Host,
	}
	if r.TLS != nil {
		c.base = "https://" + r.Host
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize+1))
	c.body = body
	if err != nil {
		rep := errReply(http.StatusBadRequest, "Problems reading the request body")
		return c, &rep
	}
	if len(body) > maxBodySize {
		rep := errReply(http.StatusRequestEntityTooLarge, "Request body too large")
		return c, &rep
	}
	c.route, c.params = f.routes.match(r.Method, r.URL.EscapedPath())
	if f.spec != nil {
		if v := f.spec.check(r, body, c.route, c.params); v != nil {
			f.addViolation(v.message)
			return c, &v.reply
		}
	}
	if c.route == nil {
		rep := notFound()
		return c, &rep
	}
	return c, nil
}

// finish turns the reply into the response: JSON body, ETag and 304,
// rate-limit headers, and the record of the request. f.mu is held.
func (f *Fake) finish(c *call) output {
	out := output{status: c.reply.status, header: c.header}
	h := out.header
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("FAKE:%d", len(f.log)+1))
	if c.reply.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c.reply.body); err != nil {
			out.status = http.StatusInternalServerError
			buf.Reset()
			_ = json.NewEncoder(&buf).Encode(ghError{Message: "githubfake: " + err.Error(), DocumentationURL: docsURL})
		}
		out.body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		h.Set("Content-Type", "application/json; charset=utf-8")
	} else if c.reply.raw != nil {
		out.body = c.reply.raw
		h.Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
	}
	notModified := false
	if c.req.Method == http.MethodGet && out.status == http.StatusOK {
		sum := sha256.Sum256(out.body)
		etag := `"` + hex.EncodeToString(sum[:20]) + `"`
		h.Set("ETag", etag)
		h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
		h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
		if etagMatches(c.req.Header.Get("If-None-Match"), etag) {
			notModified = true
			out.status = http.StatusNotModified
			out.body = nil
			h.Del("Content-Type")
		}
	}
	if c.tok != nil || c.appJWT || c.user != nil {
		f.st.rateHeaders(h, c.bucket, f.opts.RateLimit, c.rateLimited && !notModified, f.now())
	}
	rec := Request{
		Method:      c.req.Method,
		Path:        c.req.URL.Path,
		Query:       c.query,
		Body:        c.body,
		Status:      out.status,
		NotModified: notModified,
		Time:        c.start,
		Fault:       c.fault,
		Host:        c.req.Host,
	}
	if c.route != nil {
		rec.Route = c.route.template
	}
	if c.tok != nil {
		rec.InstallationID = c.tok.inst.id
	}
	f.log = append(f.log, rec)
	return out
}

// etagMatches implements If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// ghError is GitHub's error body.
type ghError struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status,omitempty"`
}

// fieldError is one entry of a 422's "errors" array.
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Value    any    `json:"value,omitempty"`
	Message  string `json:"message,omitempty"`
}

func jsonReply(status int, v any) reply { return reply{status: status, body: v} }
func ok(v any) reply                    { return jsonReply(http.StatusOK, v) }
func created(v any) reply               { return jsonReply(http.StatusCreated, v) }
func noContent() reply                  { return reply{status: http.StatusNoContent} }

func errReply(status int, msg string) reply {
	return jsonReply(status, ghError{Message: msg, DocumentationURL: docsURL, Status: strconv.Itoa(status)})
}

func notFound() reply { return errReply(http.StatusNotFound, "Not Found") }

// invalid is GitHub's 422 "Validation Failed" with one field error.
func invalid(resource, field, code, message string) reply {
	return jsonReply(http.StatusUnprocessableEntity, ghError{
		Message:          "Validation Failed",
		Errors:           []fieldError{{Resource: resource, Field: field, Code: code, Message: message}},
		DocumentationURL: docsURL,
		Status:           "422",
	})
}

// unprocessable is a 422 with a plain message.
func unprocessable(msg string) reply { return errReply(http.StatusUnprocessableEntity, msg) }

func forbidden(msg string) reply { return errReply(http.StatusForbidden, msg) }

// paging reads per_page (default 30, at most 100) and page (default 1).
func (c *call) paging() (perPage, page int) {
	perPage, page = 30, 1
	if n, err := strconv.Atoi(c.query.Get("per_page")); err == nil && n > 0 {
		perPage = min(n, 100)
	}
	if n, err := strconv.Atoi(c.query.Get("page")); err == nil && n > 0 {
		page = n
	}
	return perPage, page
}

// paginate returns one page of items and sets the Link header GitHub sends.
func paginate[T any](c *call, items []T) []T {
	perPage, page := c.paging()
	return paginateWith(c, items, perPage, page)
}

func paginateWith[T any](c *call, items []T, perPage, page int) []T {
	last := max(1, (len(items)+perPage-1)/perPage)
	c.setLink(page, last, perPage)
	if page > last {
		return []T{}
	}
	lo := (page - 1) * perPage
	return items[lo:min(lo+perPage, len(items))]
}

// setLink writes the Link header for page of last pages.
func (c *call) setLink(page, last, perPage int) {
	link := func(p int, rel string) string {
		q := url.Values{}
		for k, v := range c.query {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		u := c.base + c.req.URL.EscapedPath() + "?" + q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u, rel)
	}
	var parts []string
	if page > 1 {
		parts = append(parts, link(min(page-1, last), "prev"))
	}
	if page < last {
		parts = append(parts, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		parts = append(parts, link(1, "first"))
	}
	if len(parts) > 0 {
		c.header.Set("Link", strings.Join(parts, ", "))
	}
}
