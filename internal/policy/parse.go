package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the size of the largest policy file read (1 MiB, the
// largest file GitHub's contents API returns inline).
const MaxFileSize = 1 << 20

// Document is a parsed and validated policy file: the policy it sets and
// where each key is, for merging, notices and links.
type Document struct {
	// Source is where the file came from. ParseDocument sets Path to the
	// file name it is given and SHA to the content's git blob SHA-1; Load
	// fills in Repo and Ref.
	Source Source
	// File names the file in errors and notices.
	File string
	// Org is true for the org's ospo.yml, false for a repository override.
	Org bool
	// Policy is what the file sets, without defaults.
	Policy Policy
	// Text is the file as it was read, for a later re-reading (the
	// policy plan keeps it with a repository's snapshot).
	Text []byte

	keys   map[string]*yaml.Node // key node of every mapping field in the file, by dotted path
	leaves []leaf                // fields set to a value (not null), in file order
}

// leaf is a non-mapping field set in a file: a scalar or a list, which a
// merge replaces as a whole.
type leaf struct {
	path string
	key  *yaml.Node
}

// Parse reads a policy file strictly: unknown keys, wrong types, bad modes
// and malformed values are errors. org tells whether data is the org's
// ospo.yml (true) or a repository override, which may not set
// allow_repo_override or locked. An empty file is an empty policy. The
// error, when not nil, is an Errors listing every problem.
func Parse(path string, data []byte, org bool) (Policy, error) {
	d, err := ParseDocument(path, data, org)
	if err != nil {
		return Policy{}, err
	}
	return d.Policy, nil
}

// ParseDocument is Parse, keeping the positions Merge and RuleURL use.
func ParseDocument(file string, data []byte, org bool) (*Document, error) {
	p := &parser{file: file, org: org, keys: map[string]*yaml.Node{}}
	if len(data) > MaxFileSize {
		return nil, Errors{{File: file, Message: fmt.Sprintf("the file is %d bytes, more than the %d allowed", len(data), MaxFileSize)}}
	}
	if e := checkText(file, data); e != nil {
		return nil, Errors{e}
	}
	root, err := p.readYAML(data)
	if err != nil {
		return nil, err
	}
	if root != nil {
		if isNull(root) {
			root = nil
		} else if root.Kind != yaml.MappingNode {
			p.errorf(root, "the policy must be a mapping of keys (%s), found %s", strings.Join(keysOf(policyType), ", "), describe(root))
		} else {
			p.mapping(root, policyType, "", "")
		}
	}
	var pol Policy
	if len(p.errs) == 0 {
		// The walk above found every problem it knows, with positions.
		// yaml.v3's own strict decoding is the reference for the values.
		p.strictDecode(data, &pol)
	}
	if len(p.errs) == 0 {
		p.crossCheck(&pol)
	}
	if len(p.errs) > 0 {
		return nil, p.finish()
	}
	return &Document{
		Source: Source{Path: file, SHA: BlobSHA(data)},
		File:   file, Org: org, Policy: pol, Text: data, keys: p.keys, leaves: p.leaves,
	}, nil
}

type parser struct {
	file   string
	org    bool
	errs   Errors
	keys   map[string]*yaml.Node
	leaves []leaf
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxMessage {
		// A message quotes the value; a huge value is cut.
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "…"
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Column: n.Column, Message: msg})
}

const (
	maxMessage = 300 // bytes of one message
	maxErrors  = 100 // problems listed for one file
)

// finish sorts the problems and cuts a pathological list short.
func (p *parser) finish() Errors {
	p.errs.sort()
	if len(p.errs) > maxErrors {
		rest := p.errs[maxErrors]
		more := len(p.errs) - maxErrors
		p.errs = append(p.errs[:maxErrors:maxErrors], &Error{File: p.file, Line: rest.Line, Column: rest.Column,
			Message: fmt.Sprintf("%d more problems from here on (only the first %d are listed)", more, maxErrors)})
	}
	return p.errs
}

// checkText finds what yaml.v3 rejects without saying where: bytes that
// are not UTF-8 and control characters.
func checkText(file string, data []byte) *Error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &Error{File: file, Line: line, Column: col, Message: "the file is not UTF-8 text"}
		case r == '\n':
			line, col = line+1, 0
		case r == '\r' && (i+1 >= len(data) || data[i+1] != '\n'):
			line, col = line+1, 0
		case r == '\t' || r == '\r' || r == 0x85:
		case r < 0x20 || r >= 0x7f && r < 0xa0 || r > 0xd7ff && r < 0xe000 || r == 0xfffe || r == 0xffff:
			return &Error{File: file, Line: line, Column: col, Message: fmt.Sprintf("control character U+%04X is not allowed", r)}
		}
		col++
		i += size
	}
	return nil
}

// readYAML parses data into its single document's root node (nil for an
// empty file).
func (p *parser) readYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := safely(func() error { return dec.Decode(&doc) }); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, Errors{p.syntaxError(data, err)}
	}
	var next yaml.Node
	if err := safely(func() error { return dec.Decode(&next) }); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, Errors{p.syntaxError(data, err)}
		}
		n := &next
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		return nil, Errors{{File: p.file, Line: n.Line, Column: n.Column,
			Message: "a second YAML document (after ---); the policy must be one document"}}
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		return doc.Content[0], nil
	}
	if doc.Kind == 0 {
		return nil, nil
	}
	return &doc, nil
}

// safely runs a yaml.v3 call, turning a panic into an error: no input may
// crash the bot.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse this file (%v)", r)
		}
	}()
	return f()
}

var (
	yamlLineRE      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// syntaxError turns a yaml.v3 syntax error into an Error. yaml.v3 reports
// the line of a parser error 0-based and leaves out line 1; the column is
// not reported at all.
func (p *parser) syntaxError(data []byte, err error) *Error {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if isParserError(msg) {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	col := 0
	if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line, col = lineCol(data, i)
		}
		msg = fmt.Sprintf("alias *%s refers to no anchor (&%s)", m[1], m[1])
	}
	if n := bytes.Count(data, []byte("\n")) + 1; line > n {
		line = n
	}
	return &Error{File: p.file, Line: max(line, 1), Column: col, Message: "YAML syntax: " + msg}
}

func isParserError(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found duplicate %") ||
		msg == "found incompatible YAML document" || msg == "found undefined tag handle"
}

func lineCol(data []byte, offset int) (int, int) {
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

var typeErrLineRE = regexp.MustCompile(`^\s*line (\d+): (.*)$`)

// strictDecode decodes data with yaml.v3's KnownFields(true).
func (p *parser) strictDecode(data []byte, pol *Policy) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := safely(func() error { return dec.Decode(pol) })
	if err == nil || errors.Is(err, io.EOF) {
		return
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, s := range te.Errors {
			e := &Error{File: p.file, Message: s}
			if m := typeErrLineRE.FindStringSubmatch(s); m != nil {
				e.Line, _ = strconv.Atoi(m[1])
				e.Message = m[2]
			}
			p.errs = append(p.errs, e)
		}
		return
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: 1, Message: strings.TrimPrefix(err.Error(), "yaml: ")})
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return n.Value
	case "!!null":
		return "nothing"
	case "!!timestamp":
		return "the date " + n.Value
	}
	return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
}

// name is how a path is shown in messages: the top level is "the policy".
func name(display string) string {
	if display == "" {
		return "the policy"
	}
	return display
}

// mapping checks a mapping node against a struct type. schema is the
// dotted path with "[]" for list elements (what checks are keyed by),
// display the same with indexes (what messages show).
func (p *parser) mapping(n *yaml.Node, t reflect.Type, schema, display string) {
	switch {
	case n.Kind == yaml.AliasNode:
		p.alias(n)
		return
	case isNull(n):
		return
	case n.Kind != yaml.MappingNode:
		p.errorf(n, "%s must be a mapping (keys %s), found %s", name(display), strings.Join(keysOf(t), ", "), describe(n))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "a key in %s is %s; keys are plain names", name(display), describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, name(display), first.Line)
			continue
		}
		seen[k.Value] = k
		f, ok := fieldOf(t, k.Value)
		if !ok {
			p.unknownKey(k, t, display)
			continue
		}
		if f.required && isNull(v) {
			p.errorf(v, "%s needs a %s", name(display), f.key)
			continue
		}
		childSchema, childDisplay := join(schema, f.key), join(display, f.key)
		if !p.org && schema == "" && isOrgOnly(f.key) {
			p.errorf(k, "only the org's ospo.yml may set %s; remove it from this repository override", f.key)
			continue
		}
		if !strings.Contains(schema, "[]") {
			p.keys[childSchema] = k
			if !isMapping(f.typ) && !isNull(v) {
				p.leaves = append(p.leaves, leaf{path: childSchema, key: k})
			}
		}
		p.value(v, f.typ, childSchema, childDisplay)
	}
	for _, f := range fieldsOf(t) {
		if _, ok := seen[f.key]; f.required && !ok {
			p.errorf(n, "%s needs a %s", name(display), f.key)
		}
	}
	if schema == "pull_request.cla.agent_identities[]" && seen["email"] == nil && seen["login"] == nil {
		p.errorf(n, "%s needs an email or a login: an agent is recognised by them, never by its name alone", display)
	}
}

func (p *parser) unknownKey(k *yaml.Node, t reflect.Type, display string) {
	in := ""
	if display != "" {
		in = " in " + display
	}
	known := keysOf(t)
	if guess := closest(k.Value, known); guess != "" {
		p.errorf(k, "unknown key %q%s (did you mean %q?)", k.Value, in, guess)
		return
	}
	p.errorf(k, "unknown key %q%s (known keys: %s)", k.Value, in, strings.Join(known, ", "))
}

func (p *parser) alias(n *yaml.Node) {
	p.errorf(n, "aliases (*%s) are not supported in ospo.yml; write the value out", n.Value)
}

// value checks a node against a field type.
func (p *parser) value(n *yaml.Node, t reflect.Type, schema, display string) {
	if n.Kind == yaml.AliasNode {
		p.alias(n)
		return
	}
	switch {
	case isMapping(t):
		p.mapping(n, t, schema, display)
	case t == labelSetsType:
		p.labelSets(n, schema, display)
	case t.Kind() == reflect.Slice:
		p.list(n, t, schema, display)
	case t == modeType:
		if s, ok := p.str(n, display); ok && !isNull(n) {
			if m := Mode(s); m != Off && m != Warn && m != Enforce {
				p.errorf(n, "%s: %q is not a mode; use off, warn or enforce", display, s)
			} else if schema == "pull_request.dependencies.unknown" && m == Off {
				p.errorf(n, "%s: %q: a dependency whose licence nobody knows is never passed silently; use warn (the check is neutral) or enforce (it fails)", display, s)
			}
		}
	case t.Kind() == reflect.String:
		if s, ok := p.str(n, display); ok && !isNull(n) {
			if problem := checkString(schema, s); problem != "" {
				p.errorf(n, "%s: %s", display, problem)
			}
		}
	case t.Kind() == reflect.Bool || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		var b bool
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || safely(func() error { return n.Decode(&b) }) != nil {
			p.errorf(n, "%s must be true or false, found %s", display, describe(n))
		}
	case t.Kind() == reflect.Float64:
		if isNull(n) {
			return
		}
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || tag != "!!int" && tag != "!!float" || safely(func() error { return n.Decode(&f) }) != nil {
			p.errorf(n, "%s must be a number, found %s", display, describe(n))
			return
		}
		if problem := checkNumber(schema, f); problem != "" {
			p.errorf(n, "%s: %s", display, problem)
		}
	default:
		p.errorf(n, "%s: unsupported field type %s", display, t)
	}
}

// str reads a scalar as a string. Numbers and dates are taken as written;
// true and false must be quoted. ok is false when an error was reported.
func (p *parser) str(n *yaml.Node, display string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s must be a string, found %s", display, describe(n))
		return "", false
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float", "!!timestamp", "!!null":
		return n.Value, true
	case "!!bool":
		p.errorf(n, "%s must be a string, found %s (quote it if you mean the text: %q)", display, n.Value, n.Value)
	default:
		p.errorf(n, "%s must be a string, found %s", display, describe(n))
	}
	return "", false
}

func (p *parser) list(n *yaml.Node, t reflect.Type, schema, display string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf(" (for one entry write [%s])", n.Value)
		}
		p.errorf(n, "%s must be a list, found %s%s", display, describe(n), hint)
		return
	}
	elem := t.Elem()
	seen := map[string]*yaml.Node{}
	for i, e := range n.Content {
		ed := fmt.Sprintf("%s[%d]", display, i)
		if isNull(e) {
			p.errorf(e, "%s is empty", ed)
			continue
		}
		p.value(e, elem, schema+"[]", ed)
		// Duplicates: strings exactly, labels by name as GitHub compares them.
		var key string
		var at *yaml.Node
		switch {
		case elem.Kind() == reflect.String && e.Kind == yaml.ScalarNode:
			key, at = e.Value, e
		case elem == reflect.TypeFor[Label]() && e.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(e.Content); j += 2 {
				if e.Content[j].Value == "name" && e.Content[j+1].Kind == yaml.ScalarNode {
					key, at = strings.ToLower(e.Content[j+1].Value), e.Content[j+1]
				}
			}
		}
		if at == nil {
			continue
		}
		if first, dup := seen[key]; dup {
			p.errorf(at, "%s: %q is listed twice (first at line %d)", ed, at.Value, first.Line)
			continue
		}
		seen[key] = at
	}
}

// checkNumber validates a number field.
func checkNumber(schema string, f float64) string {
	switch schema {
	case "repository.license.min_coverage", "repository.license.min_match":
		if math.IsNaN(f) || f < 0 || f > 100 {
			return fmt.Sprintf("%v is not a percentage from 0 to 100", f)
		}
	}
	return ""
}

// crossCheck finds problems that involve several fields. An override is
// merged over the org's policy, so what it leaves out may come from there;
// Resolve reports what is still missing after the merge.
func (p *parser) crossCheck(pol *Policy) {
	cla := pol.PullRequest.CLA
	if p.org && cla.Mode.On() && cla.Document == "" {
		at := p.keys["pull_request.cla.mode"]
		p.errorf(at, "pull_request.cla.document is required when pull_request.cla.mode is %s: the http(s) URL of the CLA contributors sign", cla.Mode)
	}
}
