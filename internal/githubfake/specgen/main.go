// Command specgen cuts GitHub's REST API description down to what githubfake serves, so that the fake loads it quickly.
//
// Run it from the module root after changing the fake's routes:
//
//	go run ./internal/githubfake/specgen
//
// It reads ../shared/github/openapi/api.github.com.json (or -in, which may
// be gzipped, such as testdata/github/openapi/api.github.com.json.gz) and
// writes testdata/github/openapi/githubfake.json.gz. The subset keeps every
// operation githubfake serves whole (its responses too: the fake checks what
// it answers) but without examples, with the components it references. Every
// other operation becomes a stub with only its path parameters, so the fake
// can still tell "GitHub has this route, the fake does not" from "GitHub has
// no such route". Octokit's own additions are dropped.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

const (
	defaultIn  = "../shared/github/openapi/api.github.com.json"
	defaultOut = "testdata/github/openapi/githubfake.json.gz"
	stubKey    = "x-githubfake-stub"
)

func main() {
	in := flag.String("in", defaultIn, "GitHub's REST API description (.json or .json.gz), relative to the module root")
	out := flag.String("out", defaultOut, "where to write the subset, relative to the module root")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(in) {
		in = filepath.Join(root, in)
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	data, err := githubfake.ReadSpecFile(in)
	if err != nil {
		return err
	}
	sub, err := subset(data, githubfake.Routes(), githubfake.OctokitOnlyRoutes())
	if err != nil {
		return err
	}
	gz, err := gzipBytes(sub)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, gz, 0o644); err != nil {
		return err
	}
	fmt.Printf("specgen: %s: %d bytes of JSON, %d gzipped\n", out, len(sub), len(gz))
	return nil
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

func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// subset returns the description reduced to the served routes, as JSON.
func subset(data []byte, served, dropped []githubfake.Route) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	if paths == nil || components == nil {
		return nil, errors.New("no paths or components")
	}
	key := func(method, template string) string { return strings.ToLower(method) + " " + template }
	keep := map[string]bool{}
	for _, r := range served {
		keep[key(r.Method, r.Template)] = true
	}
	drop := map[string]bool{}
	for _, r := range dropped {
		drop[key(r.Method, r.Template)] = true
	}

	found := map[string]bool{}
	newPaths := map[string]any{}
	for path, v := range paths {
		item, _ := v.(map[string]any)
		newItem := map[string]any{}
		for k, op := range item {
			if !methods[k] {
				newItem[k] = op
				continue
			}
			switch {
			case keep[key(k, path)]:
				newItem[k] = withoutExamples(op.(map[string]any))
				found[key(k, path)] = true
			case drop[key(k, path)]:
			default:
				newItem[k] = stub(op.(map[string]any), components)
			}
		}
		if hasOperation(newItem) {
			newPaths[path] = newItem
		}
	}
	var missing []string
	for k := range keep {
		if !found[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("githubfake serves routes the description lacks: %s", strings.Join(missing, ", "))
	}

	// Keep the components the kept paths reference, transitively.
	used := map[string]bool{}
	var queue []string
	collectRefs(newPaths, func(ref string) {
		if !used[ref] {
			used[ref] = true
			queue = append(queue, ref)
		}
	})
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		v, err := component(components, ref)
		if err != nil {
			return nil, err
		}
		collectRefs(v, func(r string) {
			if !used[r] {
				used[r] = true
				queue = append(queue, r)
			}
		})
	}
	newComponents := map[string]any{}
	for ref := range used {
		kind, name := splitRef(ref)
		m, _ := newComponents[kind].(map[string]any)
		if m == nil {
			m = map[string]any{}
			newComponents[kind] = m
		}
		m[name], _ = component(components, ref)
	}

	info, _ := doc["info"].(map[string]any)
	newInfo := map[string]any{}
	for k, v := range info {
		newInfo[k] = v
	}
	newInfo["x-githubfake"] = "Subset written by internal/githubfake/specgen: the operations githubfake serves, " +
		"stubs (" + stubKey + ") for the others, and the components they reference."
	out := map[string]any{
		"openapi":    doc["openapi"],
		"info":       newInfo,
		"servers":    doc["servers"],
		"paths":      newPaths,
		"components": newComponents,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// withoutExamples drops the examples of an operation's parameters, request
// body and responses: the fake validates against the schemas, and the
// examples were a fifth of the subset.
func withoutExamples(op map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range op {
		out[k] = v
	}
	mediaTypes := func(holder any) any {
		h, _ := holder.(map[string]any)
		content, _ := h["content"].(map[string]any)
		if content == nil {
			return holder
		}
		newContent := map[string]any{}
		for mt, m := range content {
			newContent[mt] = dropKeys(m, "example", "examples")
		}
		newHolder := map[string]any{}
		for k, v := range h {
			newHolder[k] = v
		}
		newHolder["content"] = newContent
		return newHolder
	}
	if params, ok := op["parameters"].([]any); ok {
		var list []any
		for _, p := range params {
			list = append(list, dropKeys(p, "example", "examples"))
		}
		out["parameters"] = list
	}
	if body, ok := op["requestBody"]; ok {
		out["requestBody"] = mediaTypes(body)
	}
	if responses, ok := op["responses"].(map[string]any); ok {
		newResponses := map[string]any{}
		for status, r := range responses {
			newResponses[status] = mediaTypes(r)
		}
		out["responses"] = newResponses
	}
	return out
}

// dropKeys returns a copy of a JSON object without keys (other values as
// they are).
func dropKeys(v any, keys ...string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func hasOperation(item map[string]any) bool {
	for k := range item {
		if methods[k] {
			return true
		}
	}
	return false
}

// stub keeps an operation's ID and path parameters only.
func stub(op map[string]any, components map[string]any) map[string]any {
	var params []any
	list, _ := op["parameters"].([]any)
	for _, p := range list {
		pm, _ := p.(map[string]any)
		resolved := pm
		if ref, ok := pm["$ref"].(string); ok {
			v, err := component(components, ref)
			if err != nil {
				continue
			}
			resolved, _ = v.(map[string]any)
		}
		if resolved != nil && resolved["in"] == "path" {
			params = append(params, p)
		}
	}
	out := map[string]any{
		"operationId": op["operationId"],
		stubKey:       true,
		"responses": map[string]any{
			"default": map[string]any{"description": "Not kept: githubfake does not serve this operation."},
		},
	}
	if params != nil {
		out["parameters"] = params
	}
	if x, ok := op["x-github"]; ok {
		out["x-github"] = x
	}
	return out
}

func collectRefs(v any, add func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && k == "$ref" {
				add(s)
				continue
			}
			collectRefs(x, add)
		}
	case []any:
		for _, x := range t {
			collectRefs(x, add)
		}
	}
}

func splitRef(ref string) (kind, name string) {
	rest := strings.TrimPrefix(ref, "#/components/")
	kind, name, _ = strings.Cut(rest, "/")
	return kind, name
}

func component(components map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/components/") {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	kind, name := splitRef(ref)
	m, _ := components[kind].(map[string]any)
	v, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("dangling $ref %q", ref)
	}
	return v, nil
}
