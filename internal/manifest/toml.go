package manifest

import (
	"errors"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// decodeTOML decodes data into v, and gives the line of every key and
// array element by its path (see tomlPath).
func decodeTOML(file string, data []byte, v any) (map[string]int, error) {
	if err := toml.Unmarshal(data, v); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, errorf(file, row, "invalid TOML: %s", de.Error())
		}
		var se *toml.StrictMissingError
		if errors.As(err, &se) {
			return nil, errorf(file, 0, "invalid TOML: %s", se.Error())
		}
		return nil, errorf(file, 0, "invalid TOML: %v", err)
	}
	return tomlLines(data), nil
}

// tomlPath joins a path's parts as tomlLines keys them: table and key
// names, "#n" for the nth (0-based) [[array table]] or array element.
func tomlPath(parts ...string) string { return strings.Join(parts, "\x00") }

func index(i int) string { return "#" + strconv.Itoa(i) }

// tomlLines maps the path of every key (and array element) to the line
// it is written on. data has already decoded without error.
func tomlLines(data []byte) map[string]int {
	out := map[string]int{}
	ln := newLines(data)
	line := func(r unstable.Range) int { return ln.at(int(r.Offset)) }
	arrays := map[string]int{} // [[array table]] path => entries so far
	var current []string

	// resolve turns a header's keys into a path, giving each prefix that
	// is an array of tables the index of its last entry.
	resolve := func(keys []string) []string {
		var p []string
		for _, k := range keys {
			p = append(p, k)
			if n, ok := arrays[tomlPath(p...)]; ok {
				p = append(p, index(n-1))
			}
		}
		return p
	}
	var value func(prefix []string, v *unstable.Node, depth int)
	keyval := func(prefix []string, kv *unstable.Node, depth int) {
		p := append([]string(nil), prefix...)
		first := -1
		it := kv.Key()
		for it.Next() {
			k := it.Node()
			if first < 0 {
				first = line(k.Raw)
			}
			p = append(p, string(k.Data))
			if _, seen := out[tomlPath(p...)]; !seen {
				out[tomlPath(p...)] = first
			}
		}
		value(p, kv.Value(), depth)
	}
	value = func(prefix []string, v *unstable.Node, depth int) {
		if v == nil || depth > 64 {
			return
		}
		switch v.Kind {
		case unstable.Array:
			i := 0
			it := v.Children()
			for it.Next() {
				e := it.Node()
				p := append(append([]string(nil), prefix...), index(i))
				if e.Raw.Length > 0 || e.Kind == unstable.String {
					out[tomlPath(p...)] = line(e.Raw)
				}
				value(p, e, depth+1)
				i++
			}
		case unstable.InlineTable:
			it := v.Children()
			for it.Next() {
				keyval(prefix, it.Node(), depth+1)
			}
		}
	}

	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var keys []string
			hl := 0
			it := e.Key()
			for it.Next() {
				k := it.Node()
				if hl == 0 {
					hl = line(k.Raw)
				}
				keys = append(keys, string(k.Data))
			}
			if len(keys) == 0 {
				continue
			}
			if e.Kind == unstable.ArrayTable {
				prefix := resolve(keys[:len(keys)-1])
				full := tomlPath(append(prefix, keys[len(keys)-1])...)
				arrays[full]++
			}
			current = resolve(keys)
			if _, seen := out[tomlPath(current...)]; !seen {
				out[tomlPath(current...)] = hl
			}
		case unstable.KeyValue:
			keyval(current, e, 0)
		}
	}
	return out
}
