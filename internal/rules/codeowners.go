package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hmarr/codeowners"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// codeownersPaths are where GitHub looks for CODEOWNERS, in its order.
var codeownersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// ownerMatchers are codeowners' defaults, except that e-mail addresses may
// have any top-level domain (the library stops at six letters); GitHub
// itself checks that owners exist (Snapshot.CodeownersErrors).
var ownerMatchers = []codeowners.OwnerMatcher{
	codeowners.OwnerMatchFunc(matchEmailOwner),
	codeowners.OwnerMatchFunc(codeowners.MatchTeamOwner),
	codeowners.OwnerMatchFunc(codeowners.MatchUsernameOwner),
}

var emailOwner = regexp.MustCompile(`\A[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\z`)

func matchEmailOwner(s string) (codeowners.Owner, error) {
	if !emailOwner.MatchString(s) {
		return codeowners.Owner{}, codeowners.ErrNoMatch
	}
	return codeowners.Owner{Value: s, Type: codeowners.EmailOwner}, nil
}

// everyFile are paths a default-owner rule ("*", "**", "/**") must match.
var everyFile = []string{"README.md", "Makefile", "cmd/app/main.go", ".github/workflows/ci.yml", "a/b/c/d/e.txt"}

// Codeowners checks the CODEOWNERS file GitHub uses: it exists, has rules,
// parses, GitHub reports no errors in it and, if required, it names an
// owner for every file.
func Codeowners(s *Snapshot, r policy.CodeownersRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleCodeowners, r.Mode)
	}
	s = orEmpty(s)
	found := presentCodeowners(s.Paths)
	if len(found) == 0 {
		return failed(RuleCodeowners, r.Mode,
			fmt.Sprintf("no CODEOWNERS file in .github/, the root or docs/ of %s", branch(s)),
			"add .github/CODEOWNERS with a rule such as `* @your-org/your-team` naming who reviews changes")
	}
	f := checkCodeowners(s, found, r)
	f.File = found[0]
	return f
}

// presentCodeowners lists the CODEOWNERS files that exist, in GitHub's order;
// the first is the one GitHub uses.
func presentCodeowners(paths []string) []string {
	var found []string
	for _, c := range codeownersPaths {
		for _, p := range paths {
			if p == c {
				found = append(found, c)
				break
			}
		}
	}
	return found
}

func checkCodeowners(s *Snapshot, found []string, r policy.CodeownersRule) Finding {
	file := found[0]
	text, read := s.Contents[file]
	if !read {
		return failed(RuleCodeowners, r.Mode,
			fmt.Sprintf("%s exists but its text was not read", file),
			"re-run the check; if it persists, report it to the OSPO")
	}
	if !hasRules(text) {
		return emptyCodeowners(file, found[1:], r.Mode)
	}
	rules, err := codeowners.ParseFile(strings.NewReader(text), codeowners.WithOwnerMatchers(ownerMatchers))
	if err != nil {
		f := failed(RuleCodeowners, r.Mode,
			fmt.Sprintf("%s cannot be parsed: %v", file, err),
			fmt.Sprintf("fix %s: each rule is a path pattern followed by @user, @org/team or email owners", file))
		f.Line = errorLine(err)
		return f
	}
	if f, bad := githubErrors(file, s.CodeownersErrors, r.Mode); bad {
		return f
	}
	if r.RequireDefaultOwner && !ownsEveryFile(rules) {
		return failed(RuleCodeowners, r.Mode,
			fmt.Sprintf("%s has no rule that gives every file an owner", file),
			fmt.Sprintf("make `* @your-org/your-team` the first rule of %s, with no later ownerless `*` rule", file))
	}
	return passed(RuleCodeowners, r.Mode, fmt.Sprintf("%s is valid: %s", file, plural(len(rules), "rule")))
}

// hasRules reports whether text has a line that is neither blank nor a
// comment.
func hasRules(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return true
		}
	}
	return false
}

func emptyCodeowners(file string, later []string, mode policy.Mode) Finding {
	if len(later) > 0 {
		return failed(RuleCodeowners, mode,
			fmt.Sprintf("%s is empty and shadows %s, which GitHub therefore ignores", file, later[0]),
			fmt.Sprintf("move the rules of %s into %s, or delete %s", later[0], file, file))
	}
	return failed(RuleCodeowners, mode,
		fmt.Sprintf("%s has no rules (only comments or blank lines)", file),
		fmt.Sprintf("add rules to %s, such as `* @your-org/your-team`", file))
}

// errorLine reads the line number from a codeowners parse error
// ("line 3: ..."), or 0.
func errorLine(err error) int {
	var line int
	if _, scanErr := fmt.Sscanf(err.Error(), "line %d:", &line); scanErr != nil {
		return 0
	}
	return line
}

// githubErrors reports the errors GitHub found in the file, one per line.
func githubErrors(file string, errs []CodeownersError, mode policy.Mode) (Finding, bool) {
	if len(errs) == 0 {
		return Finding{}, false
	}
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, fmt.Sprintf("line %d: %s", e.Line, describe(e)))
	}
	f := failed(RuleCodeowners, mode,
		fmt.Sprintf("GitHub reports %s in %s: %s", plural(len(errs), "error"), file, strings.Join(parts, "; ")),
		fmt.Sprintf("fix %s at the lines listed (unknown owners must be users or teams with write access)", file))
	f.Line = errs[0].Line
	return f, true
}

// describe says what is wrong in one GitHub error, on one line.
func describe(e CodeownersError) string {
	msg := inert.Text(e.Kind) // GitHub's words about the file's text
	if e.Kind == "" {
		msg = inert.Text(firstLine(e.Message))
	}
	if e.Source != "" {
		msg += " in " + inert.Code(strings.TrimSpace(firstLine(e.Source)))
	}
	if e.Suggestion != "" {
		msg += " (" + inert.Text(firstLine(e.Suggestion)) + ")"
	}
	if msg == "" {
		return "error"
	}
	return msg
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// ownsEveryFile reports whether the last rule that matches every file has an
// owner (later rules win, so a later ownerless "*" cancels an earlier one).
func ownsEveryFile(rules codeowners.Ruleset) bool {
	for i := len(rules) - 1; i >= 0; i-- {
		if matchesEveryFile(rules[i]) {
			return len(rules[i].Owners) > 0
		}
	}
	return false
}

func matchesEveryFile(rule codeowners.Rule) bool {
	if rule.RawPattern() == "/" { // codeowners' matcher panics on "/", which matches nothing
		return false
	}
	for _, p := range everyFile {
		if ok, err := rule.Match(p); !ok || err != nil {
			return false
		}
	}
	return true
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

var codeownersEntry = Rule{
	ID: RuleCodeowners, Scope: RepositoryScope, Section: "repository.codeowners",
	Anchor:  "repositorycodeowners--a-valid-codeowners",
	Summary: "a CODEOWNERS file (.github/, root or docs/) GitHub reports no errors for",
	Mode:    func(p *policy.Policy) policy.Mode { return p.Repository.Codeowners.Mode },
	Needs: Needs{
		Dirs:             []string{"", ".github", "docs"},
		Read:             []FileSet{{Dirs: []string{".github", "", "docs"}, Match: func(name string) bool { return name == "CODEOWNERS" }, First: true}},
		CodeownersErrors: true,
	},
	Stale: Stale{Changed: codeownersPaths},
	Check: func(in Input) Finding { return Codeowners(in.Repo, in.Policy.Repository.Codeowners) },
}
