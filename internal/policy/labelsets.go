package policy

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// LabelSets are the sets of pull_request.labels.one_of: a pull request
// needs at least one label of each set. In YAML a list of lists
// ([[kind/bug, kind/feature], [size/S, size/M, size/L]]) or, for a single
// set, a flat list ([kind/bug, kind/feature], the same as
// [[kind/bug, kind/feature]]). A list mixing labels and lists is an error.
type LabelSets [][]string

// UnmarshalYAML reads both shapes. Parse has already reported any problem
// with its position; this is the decoding.
func (s *LabelSets) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return typeError(n, "one_of must be a list of labels, or a list of lists of labels")
	}
	out := LabelSets{}
	switch labelSetsShape(n) {
	case flatSets:
		var set []string
		if err := n.Decode(&set); err != nil {
			return err
		}
		if len(set) > 0 {
			out = append(out, set)
		}
	case nestedSets:
		for _, e := range n.Content {
			var set []string
			if err := e.Decode(&set); err != nil {
				return err
			}
			out = append(out, set)
		}
	default:
		return typeError(n, "one_of mixes labels and lists of labels")
	}
	*s = out
	return nil
}

func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
}

// Clone returns a deep copy (nil stays nil).
func (s LabelSets) Clone() LabelSets {
	if s == nil {
		return nil
	}
	out := make(LabelSets, len(s))
	for i, set := range s {
		out[i] = slices.Clone(set)
	}
	return out
}

// String is each set in brackets: "[kind/bug kind/feature] [size/S]".
func (s LabelSets) String() string {
	parts := make([]string, len(s))
	for i, set := range s {
		parts[i] = "[" + strings.Join(set, " ") + "]"
	}
	return strings.Join(parts, " ")
}

type setsShape int

const (
	flatSets   setsShape = iota // no entry is a list (also: an empty list)
	nestedSets                  // every entry is a list
	mixedSets
)

func labelSetsShape(n *yaml.Node) setsShape {
	lists := 0
	for _, e := range n.Content {
		if e.Kind == yaml.SequenceNode {
			lists++
		}
	}
	switch lists {
	case 0:
		return flatSets
	case len(n.Content):
		return nestedSets
	}
	return mixedSets
}

// labelSets checks pull_request.labels.one_of in either shape.
func (p *parser) labelSets(n *yaml.Node, schema, display string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf(" (for one label write [%s])", n.Value)
		}
		p.errorf(n, "%s must be a list of labels, or a list of lists of labels, found %s%s", display, describe(n), hint)
		return
	}
	switch labelSetsShape(n) {
	case flatSets:
		if len(n.Content) > 0 {
			p.labelSet(n, schema+"[]", display)
		}
	case nestedSets:
		for i, e := range n.Content {
			ed := fmt.Sprintf("%s[%d]", display, i)
			if len(e.Content) == 0 {
				p.errorf(e, "%s is an empty set, which no pull request can satisfy; remove it", ed)
				continue
			}
			p.labelSet(e, schema+"[]", ed)
		}
	default:
		for i, e := range n.Content {
			if e.Kind == yaml.AliasNode {
				p.alias(e)
				break
			}
			if e.Kind != yaml.SequenceNode {
				p.errorf(e, "%s[%d]: %s mixes labels and lists of labels; write each set as a list ([[a, b], [c]]), or one set as a flat list ([a, b])",
					display, i, display)
				break
			}
		}
	}
}

// labelSet checks one set: labels, each once (ignoring case, as GitHub
// compares label names).
func (p *parser) labelSet(n *yaml.Node, schema, display string) {
	seen := map[string]*yaml.Node{}
	for i, e := range n.Content {
		ed := fmt.Sprintf("%s[%d]", display, i)
		switch {
		case e.Kind == yaml.AliasNode:
			p.alias(e)
			continue
		case isNull(e):
			p.errorf(e, "%s is empty", ed)
			continue
		}
		s, ok := p.str(e, ed)
		if !ok {
			continue
		}
		if problem := checkString(schema+"[]", s); problem != "" {
			p.errorf(e, "%s: %s", ed, problem)
			continue
		}
		key := strings.ToLower(strings.TrimSpace(s))
		if first, dup := seen[key]; dup {
			p.errorf(e, "%s: %q is listed twice (first at line %d)", ed, s, first.Line)
			continue
		}
		seen[key] = e
	}
}
