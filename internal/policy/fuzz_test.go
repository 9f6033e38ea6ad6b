package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	fullExample, orgPolicy, repoOverride, "",
	"allow_repo_override: false\nlocked: [repository.license, review]\n",
	"repository:\n  license: {mode: warn, allowed: [\"(MIT OR Apache-2.0) AND BSD-2-Clause\", GPL-2.0+ WITH Classpath-exception-2.0]}\n",
	"repository:\n  labels:\n    required:\n      - {name: bug, color: red}\n      - name: docs\n        color: 000000\n",
	"review:\n  approvers: ['@acme/ospo', '@alice', x-]\n  repository: a/b/c\n",
	"review:\n  label: &l x\nrepository:\n  files:\n    required: [*l]\n",
	"review: {}\n---\nrepository: {}\n",
	"review:\n\tlabel: x\n",
	"repository:\n  license:\n    min_coverage: .nan\n    min_match: 1e400\n",
	"<<: {review: {}}\n",
	"? [a]\n: b\n",
	"review: !!map {label: !!binary aGVsbG8=}\n",
	"locked: [repository.licence, '', allow_repo_override]\n",
	prExample,
	"pull_request:\n  cla: {mode: enforce}\n",
	"pull_request:\n  labels: {one_of: [kind/bug, kind/feature], patterns: ['^area/.+$', '(']}\n",
	"pull_request:\n  labels:\n    one_of: [[a, b], c, [], [~]]\n",
	"pull_request:\n  protected_paths: {paths: ['LICENSE*', '[', docs/**, /x]}\n  dco: {mode: warn}\n",
	"pull_request:\n  cla:\n    allow: {bots: false, users: ['*', 'release-*'], orgs: ['@acme'], email_domains: [a@b.c]}\n",
}

// FuzzParse: no input makes Parse panic; every problem has a position; a
// valid file renders (explain) to YAML that parses back to the same policy.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, org bool) {
		d, err := ParseDocument("f.yml", data, org)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v (%T), want non-empty Errors", err, err)
			}
			for _, e := range errs {
				if e.File != "f.yml" || e.Line < 1 || e.Column < 0 || e.Message == "" {
					t.Fatalf("error without a position: %+v", e)
				}
			}
			return
		}
		if !org {
			// Only the org file must name the CLA document of a CLA rule
			// it turns on; an override may take it from the org.
			if _, err := Parse("f.yml", data, true); err != nil && !onlyCLADocumentMissing(err) {
				t.Fatalf("valid as an override but not as an org file: %v", err)
			}
		}
		e := Resolve(d, nil)
		if org {
			if repo, err := ParseDocument("r.yml", data, false); err == nil {
				e = Resolve(d, repo)
			}
		}
		out := e.YAML()
		back, err := Parse("explained.yml", out, true)
		if err != nil && onlyCLADocumentMissing(err) && e.Policy.PullRequest.CLA.Document == "" && len(e.Notices) > 0 {
			// An override turned the CLA on and no file names the
			// document: a notice says so, and the org file the
			// explanation is would be invalid, rightly.
			return
		}
		if err != nil {
			t.Fatalf("explain output does not parse: %v\n%s", err, out)
		}
		if got, want := back.WithDefaults(), normalizeLists(e.Policy); !reflect.DeepEqual(got, want) {
			t.Fatalf("explain output parses to\n%+v\nwant\n%+v\n%s", got, want, out)
		}
	})
}

func onlyCLADocumentMissing(err error) bool {
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		return false
	}
	return strings.HasPrefix(errs[0].Message, "pull_request.cla.document is required when")
}
