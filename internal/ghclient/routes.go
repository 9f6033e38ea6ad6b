package ghclient

import (
	_ "embed"
	"fmt"
	"strings"
)

// routesTxt holds GitHub's REST route templates, one per line, taken from
// GitHub's REST API description (see the header line of routes.txt).
//
//go:embed routes.txt
var routesTxt string

// otherRoute is the route label of a path that matches no known template.
const otherRoute = "other"

// spanningParams are the parameters whose values may contain "/" and so
// may cover several path segments (a file path, a git ref, a branch name,
// "base...head" with branch names). They are tried after every
// one-segment match has failed.
var spanningParams = map[string]bool{
	"path":     true,
	"ref":      true,
	"dir":      true,
	"basehead": true,
	"branch":   true,
}

// routeTable maps raw request paths to GitHub's route templates, so that
// metrics are labelled by a bounded set of routes rather than raw paths.
type routeTable struct {
	root *routeNode
}

type routeNode struct {
	template string                // set when a template ends here
	literals map[string]*routeNode // literal segments
	params   []*paramEdge          // {param} segments, in file order
}

type paramEdge struct {
	name string
	span bool
	node *routeNode
}

func newRouteNode() *routeNode {
	return &routeNode{literals: map[string]*routeNode{}}
}

// parseRoutes builds a routeTable from text with one template per line;
// blank lines and lines starting with # are ignored.
func parseRoutes(text string) (*routeTable, error) {
	t := &routeTable{root: newRouteNode()}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "/") {
			return nil, fmt.Errorf("routes line %d: template %q does not start with /", i+1, line)
		}
		n := t.root
		for _, seg := range splitPath(line) {
			name, isParam := paramName(seg)
			switch {
			case isParam:
				var next *paramEdge
				for _, p := range n.params {
					if p.name == name {
						next = p
						break
					}
				}
				if next == nil {
					next = &paramEdge{name: name, span: spanningParams[name], node: newRouteNode()}
					n.params = append(n.params, next)
				}
				n = next.node
			case strings.ContainsAny(seg, "{}"):
				return nil, fmt.Errorf("routes line %d: segment %q mixes literal text and parameters", i+1, seg)
			default:
				next := n.literals[seg]
				if next == nil {
					next = newRouteNode()
					n.literals[seg] = next
				}
				n = next
			}
		}
		if n.template == "" {
			n.template = line
		}
	}
	return t, nil
}

// paramName reports whether seg is a whole-segment parameter such as
// "{owner}", and its name.
func paramName(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && !strings.ContainsAny(seg[1:len(seg)-1], "{}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// splitPath splits "/a/b/c" into [a b c]; "/" gives no segments.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match returns the template of the escaped path p (without the API URL's
// path prefix), or "other". Literal segments beat parameters; a parameter
// never matches an empty segment except a trailing one (GET
// /repos/o/r/contents/ lists the root directory); a trailing slash is
// otherwise ignored. Escaped slashes (%2F) stay inside their segment.
func (t *routeTable) Match(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if tpl := t.root.match(splitPath(p)); tpl != "" {
		return tpl
	}
	if trimmed := strings.TrimRight(p, "/"); trimmed != p {
		if tpl := t.root.match(splitPath(trimmed)); tpl != "" {
			return tpl
		}
	}
	return otherRoute
}

func (n *routeNode) match(segs []string) string {
	if len(segs) == 0 {
		return n.template
	}
	seg, rest := segs[0], segs[1:]
	if next := n.literals[seg]; next != nil && seg != "" {
		if tpl := next.match(rest); tpl != "" {
			return tpl
		}
	}
	if seg == "" && len(rest) > 0 {
		return "" // an empty segment in the middle of a path matches nothing
	}
	for _, p := range n.params {
		if tpl := p.node.match(rest); tpl != "" {
			return tpl
		}
	}
	// A parameter such as {path} or {ref} may cover several segments:
	// prefer the shortest span that leads to a template.
	for _, p := range n.params {
		if !p.span || seg == "" {
			continue
		}
		for k := 1; k <= len(rest); k++ {
			if rest[k-1] == "" && k < len(rest) {
				break
			}
			if tpl := p.node.match(rest[k:]); tpl != "" {
				return tpl
			}
		}
	}
	return ""
}

// stripPrefix removes the API URL's path prefix (e.g. "/api/v3" on GitHub
// Enterprise Server) from the escaped path p. prefix has no trailing slash.
func stripPrefix(p, prefix string) string {
	if prefix == "" {
		return p
	}
	if p == prefix {
		return "/"
	}
	if strings.HasPrefix(p, prefix+"/") {
		return p[len(prefix):]
	}
	return p
}
