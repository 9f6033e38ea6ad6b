package githubfake

import (
	"net/url"
	"sort"
	"strings"
)

// authKind says which credentials a route takes.
type authKind int

const (
	authInstallation authKind = iota // "token <installation token>"
	authApp                          // "Bearer <app JWT>"
	authNone                         // no credentials
)

// route is one endpoint the fake serves. Its template is GitHub's path
// template; a parameter written "{name...}" spans one or more segments
// (GitHub's x-multi-segment), such as a file path.
type route struct {
	method   string
	template string // as in GitHub's description, without "..."
	segs     []segment
	auth     authKind
	noCharge bool // not counted against the rate limit (GET /rate_limit)
	handle   func(*Fake, *call) reply
}

type segKind int

// Ordered from most to least specific.
const (
	segLiteral segKind = iota
	segParam
	segRest
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter's name
}

// Route is an endpoint the fake serves.
type Route struct {
	Method   string
	Template string // GitHub's path template, e.g. /repos/{owner}/{repo}
	// MultiSegment names the path parameter that may contain slashes.
	MultiSegment string
}

// Routes lists the endpoints the fake serves, sorted by template and method.
func Routes() []Route {
	var out []Route
	for _, rt := range newRouter().routes {
		r := Route{Method: rt.method, Template: rt.template}
		for _, s := range rt.segs {
			if s.kind == segRest {
				r.MultiSegment = s.text
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Template != out[j].Template {
			return out[i].Template < out[j].Template
		}
		return out[i].Method < out[j].Method
	})
	return out
}

type router struct {
	routes []*route
}

func newRouter() *router {
	r := &router{}
	for _, d := range routeTable() {
		rt := &route{method: d.method, auth: d.auth, noCharge: d.noCharge, handle: d.handle}
		var tmpl []string
		for _, s := range strings.Split(strings.TrimPrefix(d.pattern, "/"), "/") {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
				name := strings.TrimSuffix(strings.TrimPrefix(s, "{"), "...}")
				rt.segs = append(rt.segs, segment{segRest, name})
				tmpl = append(tmpl, "{"+name+"}")
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
				rt.segs = append(rt.segs, segment{segParam, s[1 : len(s)-1]})
				tmpl = append(tmpl, s)
			default:
				rt.segs = append(rt.segs, segment{segLiteral, s})
				tmpl = append(tmpl, s)
			}
		}
		rt.template = "/" + strings.Join(tmpl, "/")
		r.routes = append(r.routes, rt)
	}
	return r
}

// match finds the most specific route for the method and escaped path. Each
// segment is unescaped after splitting, so "kind%2Fbug" is one segment.
func (r *router) match(method, escapedPath string) (*route, map[string]string) {
	raw := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil
		}
		segs[i] = u
	}
	var best *route
	var bestParams map[string]string
	for _, rt := range r.routes {
		if rt.method != method {
			continue
		}
		params := map[string]string{}
		if !matchSegments(rt.segs, segs, params) {
			continue
		}
		if best == nil || moreSpecific(rt, best) {
			best, bestParams = rt, params
		}
	}
	return best, bestParams
}

// matchSegments matches a pattern against path segments. A rest parameter
// takes one or more segments; only the last segment may be empty, and only
// for a rest parameter (a directory listing of the repository root).
func matchSegments(pat []segment, segs []string, params map[string]string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if len(segs) == 0 {
		return false
	}
	p := pat[0]
	switch p.kind {
	case segLiteral:
		return segs[0] == p.text && matchSegments(pat[1:], segs[1:], params)
	case segParam:
		if segs[0] == "" {
			return false
		}
		params[p.text] = segs[0]
		return matchSegments(pat[1:], segs[1:], params)
	default:
		for n := 1; n <= len(segs); n++ {
			if matchSegments(pat[1:], segs[n:], params) {
				params[p.text] = strings.Join(segs[:n], "/")
				return true
			}
		}
		return false
	}
}

// moreSpecific prefers, segment by segment, a literal over a parameter over
// a rest parameter, then the longer pattern.
func moreSpecific(a, b *route) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind < b.segs[i].kind
		}
	}
	return len(a.segs) > len(b.segs)
}
