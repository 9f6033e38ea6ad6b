package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestSubsetIsUpToDate regenerates the subset from the copy of GitHub's
// description in testdata and compares it with the committed one, so that a
// route added to the fake without rerunning specgen fails here.
func TestSubsetIsUpToDate(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	full, err := githubfake.ReadSpecFile(filepath.Join(root, "testdata/github/openapi/api.github.com.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := subset(full, githubfake.Routes(), githubfake.OctokitOnlyRoutes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := githubfake.ReadSpecFile(filepath.Join(root, defaultOut))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go run ./internal/githubfake/specgen -in testdata/github/openapi/api.github.com.json.gz", defaultOut)
	}
}

func TestSubset(t *testing.T) {
	full := []byte(`{
	  "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
	  "paths": {
	    "/a/{x}": {"get": {"operationId": "a", "parameters": [{"$ref": "#/components/parameters/x"}, {"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/unused"}}],
	                       "responses": {"200": {"description": "ok"}}},
	               "post": {"operationId": "a-post", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/body"}, "examples": {"e": {"$ref": "#/components/examples/e"}}}}},
	                        "parameters": [{"$ref": "#/components/parameters/x"}], "responses": {"201": {"description": "ok",
	                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/created"}, "examples": {"e": {"$ref": "#/components/examples/e"}}}}}}}},
	    "/octokit": {"get": {"operationId": "o", "responses": {"200": {"description": "ok"}}}}
	  },
	  "components": {
	    "parameters": {"x": {"name": "x", "in": "path", "required": true, "schema": {"type": "string"}}},
	    "schemas": {"body": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/name"}}},
	                "name": {"type": "string"}, "unused": {"type": "string"}, "created": {"type": "object"}},
	    "examples": {"e": {"value": {"n": "x"}}}
	  }
	}`)
	out, err := subset(full,
		[]githubfake.Route{{Method: "POST", Template: "/a/{x}"}},
		[]githubfake.Route{{Method: "GET", Template: "/octokit"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]map[string]any
		Components map[string]map[string]any
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Paths["/octokit"]; ok {
		t.Error("the octokit-only operation was kept")
	}
	get := doc.Paths["/a/{x}"]["get"]
	if get[stubKey] != true || len(get["parameters"].([]any)) != 1 {
		t.Errorf("GET /a/{x} is not a stub with its path parameter: %v", get)
	}
	if doc.Paths["/a/{x}"]["post"]["requestBody"] == nil {
		t.Error("the served operation lost its body")
	}
	// The responses are kept, for the fake checks what it answers; the
	// examples are not.
	if doc.Components["schemas"]["created"] == nil || doc.Components["examples"] != nil {
		t.Errorf("the response schema was dropped or the examples kept: components %v", doc.Components)
	}
	if doc.Components["schemas"]["name"] == nil || doc.Components["schemas"]["unused"] != nil || doc.Components["parameters"]["x"] == nil {
		t.Errorf("components %v", doc.Components)
	}
	if _, err := subset(full, []githubfake.Route{{Method: "GET", Template: "/b"}}, nil); err == nil {
		t.Error("a served route missing from the description was accepted")
	}
}
