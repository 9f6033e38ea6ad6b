package policy

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAML renders the effective policy as an ospo.yml with every key written
// out (defaults included), under a header naming the sources, the version
// and the notices; a comment on each value tells where it comes from: the
// file and line that set it, or "default". The output parses back to the
// same policy.
func (e *Effective) YAML() []byte {
	var head []string
	head = append(head, "Effective ospo-bot policy, version "+e.Version)
	if len(e.Sources) == 0 {
		head = append(head, "No policy file: the defaults apply.")
	}
	for i, s := range e.Sources {
		role := "org policy"
		if d := e.docAt(i); d != nil && !d.Org {
			role = "repository override"
		}
		where := s.String()
		if s.Ref != "" {
			where += "@" + s.Ref
		}
		head = append(head, fmt.Sprintf("%s: %s (blob %s)", role, where, s.SHA))
	}
	for _, n := range e.Notices {
		head = append(head, "notice: "+n.String())
	}
	root := e.node(reflect.ValueOf(e.Policy), "", true)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}, HeadComment: strings.Join(head, "\n")}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		// Only nodes built above are encoded; this cannot happen.
		return []byte("# cannot render the policy: " + err.Error() + "\n")
	}
	_ = enc.Close()
	return buf.Bytes()
}

func (e *Effective) docAt(i int) *Document {
	docs := []*Document{}
	if e.org != nil {
		docs = append(docs, e.org)
	}
	if e.repo != nil {
		docs = append(docs, e.repo)
	}
	if i < len(docs) {
		return docs[i]
	}
	return nil
}

// origin is the comment on a leaf: where its value comes from.
func (e *Effective) origin(path string) string {
	if d := e.origins[path]; d != nil {
		if k := d.keys[path]; k != nil {
			return fmt.Sprintf("%s:%d", d.File, k.Line)
		}
		return d.File
	}
	return "default"
}

// node renders v; comment puts the origin of each leaf of a mapping on it
// (not inside list entries).
func (e *Effective) node(v reflect.Value, path string, comment bool) *yaml.Node {
	switch {
	case v.Kind() == reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, f := range fieldsOf(v.Type()) {
			p := join(path, f.key)
			k := &yaml.Node{Kind: yaml.ScalarNode, Value: f.key}
			val := e.node(v.Field(f.index), p, comment)
			if comment && !isMapping(f.typ) {
				c := "# " + e.origin(p)
				if val.Kind == yaml.ScalarNode || val.Style == yaml.FlowStyle {
					val.LineComment = c
				} else {
					k.LineComment = c
				}
			}
			m.Content = append(m.Content, k, val)
		}
		return m
	case v.Kind() == reflect.Slice:
		s := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for i := 0; i < v.Len(); i++ {
			s.Content = append(s.Content, e.node(v.Index(i), "", false))
		}
		if v.Type().Elem().Kind() == reflect.Struct && v.Len() > 0 {
			s.Style = 0
			for _, c := range s.Content {
				c.Style = yaml.FlowStyle
				// Leave out empty optional fields of list entries.
				var kept []*yaml.Node
				for i := 0; i+1 < len(c.Content); i += 2 {
					if c.Content[i+1].Value != "" || c.Content[i].Value == "name" {
						kept = append(kept, c.Content[i], c.Content[i+1])
					}
				}
				c.Content = kept
			}
		}
		return s
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		return e.node(v.Elem(), path, comment)
	case v.Kind() == reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case v.Kind() == reflect.Float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(v.Float(), 'f', -1, 64)}
	case v.Kind() == reflect.String:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.String()}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v.Interface())}
}
