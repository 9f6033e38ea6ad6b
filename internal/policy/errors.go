package policy

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Error is one problem in a policy file, at a line and column (both
// 1-based; 0 when unknown, e.g. the column of a YAML syntax error).
type Error struct {
	File    string
	Line    int
	Column  int
	Message string
}

// Error is "file:line:col: message"; an unknown column or line is left out
// ("file:line: message").
func (e *Error) Error() string { return position(e.File, e.Line, e.Column) + e.Message }

// Errors are all the problems found in a policy file, in file order. Parse
// returns every problem at once, never just the first.
type Errors []*Error

// Error is one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
}

// Notice is something the effective policy does differently from what a
// file asks, typically a repository override the org policy does not allow.
// Notices are shown to the people concerned; nothing is ignored silently.
type Notice struct {
	File    string
	Line    int
	Column  int
	Message string
}

// String is "file:line:col: message", like Error.
func (n Notice) String() string { return position(n.File, n.Line, n.Column) + n.Message }

func position(file string, line, col int) string {
	s := file
	if line > 0 {
		s += ":" + strconv.Itoa(line)
		if col > 0 {
			s += ":" + strconv.Itoa(col)
		}
	}
	if s != "" {
		s += ": "
	}
	return s
}

// Source is a policy file: the repository ("owner/name"; empty for a local
// file), its path in the repository, the ref it was read at (empty: the
// default branch) and the git blob SHA-1 of its content.
type Source struct {
	Repo string
	Path string
	Ref  string
	SHA  string
}

// String is "owner/name:path", or the path alone for a local file.
func (s Source) String() string {
	if s.Repo == "" {
		return s.Path
	}
	return s.Repo + ":" + s.Path
}

// Version identifies the file's text: "owner/name:path@" and the first 12
// hex digits of its blob SHA.
func (s Source) Version() string {
	sha := s.SHA
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return s.String() + "@" + sha
}

// BlobSHA is the git blob SHA-1 of content, as `git hash-object` computes
// it and as GitHub reports it for a file.
func BlobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// InvalidError is returned by Load when a policy file is invalid: it names
// the file and lists every problem with its line and column. The policy is
// never replaced by defaults when this happens.
type InvalidError struct {
	Source Source
	Errors Errors
	// Org is true when the file is the org's policy (wherever a remote
	// reference put it), false for a repository override.
	Org bool
	// WithoutOverride, for an invalid repository override under a valid
	// org policy, is the policy in force without the override (the org's
	// and the defaults), for a caller that reports the broken override and
	// checks the repository anyway. Nil otherwise.
	WithoutOverride *Effective
}

func (e *InvalidError) Error() string {
	where := e.Source.String()
	if e.Source.Ref != "" {
		where += "@" + e.Source.Ref
	}
	return fmt.Sprintf("invalid policy file %s (%s):\n%s", where, plural(len(e.Errors), "problem"), e.Errors.Error())
}

// Unwrap returns the Errors.
func (e *InvalidError) Unwrap() error { return e.Errors }
