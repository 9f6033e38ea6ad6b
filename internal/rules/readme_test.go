package rules

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

var updateREADME = flag.Bool("update", false, "rewrite README.md's rule table from the registry")

const (
	tableStart = "<!-- rule table: generated from internal/rules' registry; `go test ./internal/rules -run TestREADMERuleTable -update` rewrites it -->\n"
	tableEnd   = "<!-- end of rule table -->\n"
)

// TestREADMERuleTable: the README's rule table is the registry's, and every
// rule's anchor is a heading of the README.
func TestREADMERuleTable(t *testing.T) {
	const file = "../../README.md"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start, end := strings.Index(readme, tableStart), strings.Index(readme, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md has no rule table between %q and %q", tableStart, tableEnd)
	}
	want := ruleTable()
	if got := readme[start+len(tableStart) : end]; got != want {
		if *updateREADME {
			if err := os.WriteFile(file, []byte(readme[:start+len(tableStart)]+want+readme[end:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's rule table is not the registry's; run `go test ./internal/rules -run TestREADMERuleTable -update`. Want:\n%s", want)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(readme, "\n") {
		if h, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") {
			anchors[slug(h)] = true
		}
	}
	for _, r := range Registry {
		if !anchors[r.Anchor] {
			t.Errorf("rule %s: README.md has no heading #%s", r.ID, r.Anchor)
		}
	}
}

// slug is GitHub's anchor for a heading: lower case, punctuation other
// than "-" and "_" dropped, spaces as "-".
func slug(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = regexp.MustCompile(`[^\p{L}\p{N} _-]`).ReplaceAllString(h, "")
	return strings.ReplaceAll(h, " ", "-")
}

func ruleTable() string {
	defaults := policy.Defaults()
	var b strings.Builder
	b.WriteString("| rule | checks | policy key | default | reads from GitHub | re-checked on a push to the default branch that |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range Registry {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | `%s` | `%s` | %s | %s |\n",
			r.ID, r.Anchor, r.Summary, r.Section, r.Mode(&defaults), describeNeeds(r), describeStale(r))
	}
	return b.String()
}

func describeNeeds(r Rule) string {
	n := r.Needs
	var out []string
	if len(n.Dirs) > 0 {
		out = append(out, "the file list of "+dirList(n.Dirs))
	}
	for _, f := range n.Read {
		what := "the text of the files"
		if f.First {
			what = "the text of the first file found"
		}
		what += " in " + dirList(f.Dirs)
		if f.OrgDefault {
			what += " (or the org's default)"
		}
		out = append(out, what)
	}
	if n.OrgHealth {
		out = append(out, "the org's public `.github` repository, for a community file missing here")
	}
	for _, x := range []struct {
		on   bool
		what string
	}{
		{n.CodeownersErrors, "GitHub's CODEOWNERS errors"},
		{n.Labels, "the issue labels"},
		{n.PrivateReporting, "whether private vulnerability reporting is on"},
		{n.Manifests, "the licence fields of the root's package manifests"},
		{n.Commits, "the commits"},
		{n.ChangedFiles, "the changed files"},
		{n.Signatures, "CLA signatures, accounts and org memberships"},
		{n.Approvals, "approving comments and reviews, approvers' team memberships"},
		{n.Dependencies, "the dependencies added or changed, with their licences (GitHub's dependency review, or the changed manifests and deps.dev)"},
		{n.Heads, "the first lines of the added or modified files it judges, and the REUSE files that can cover them"},
	} {
		if x.on {
			out = append(out, x.what)
		}
	}
	if len(out) == 0 {
		switch r.Scope {
		case RepositoryScope:
			return "the repository (nothing more)"
		default:
			return "the pull request (nothing more)"
		}
	}
	return strings.Join(out, "; ")
}

func dirList(dirs []string) string {
	var out []string
	for _, d := range dirs {
		if d == "" {
			out = append(out, "the root")
		} else {
			out = append(out, "`"+d+"/`")
		}
	}
	return listAnd(out)
}

func describeStale(r Rule) string {
	if r.Scope == PullRequestScope {
		return "— (checked on the pull request's own events)"
	}
	var out []string
	if len(r.Stale.Changed) > 0 {
		out = append(out, "changes "+patternList(r.Stale.Changed))
	}
	if len(r.Stale.Existence) > 0 {
		out = append(out, "adds or removes "+patternList(r.Stale.Existence))
	}
	if len(out) == 0 {
		return "— (not a file)"
	}
	return strings.Join(out, "; ")
}

func patternList(ps []string) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = "`" + p + "`"
	}
	return strings.Join(out, ", ")
}
