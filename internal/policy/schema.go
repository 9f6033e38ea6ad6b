package policy

import (
	"reflect"
	"strings"
)

// The schema of ospo.yml is the Policy type itself: its yaml tags name the
// keys, so a field added to model.go is parsed, validated, lockable,
// mergeable and explained without further code.

var (
	policyType    = reflect.TypeFor[Policy]()
	modeType      = reflect.TypeFor[Mode]()
	labelSetsType = reflect.TypeFor[LabelSets]()
)

// orgOnly are the top-level keys only the org's ospo.yml may set.
var orgOnly = []string{"allow_repo_override", "locked"}

type schemaField struct {
	key      string
	index    int
	typ      reflect.Type
	required bool // the tag has no omitempty
}

// fieldsOf lists the YAML fields of a struct type in declaration order.
func fieldsOf(t reflect.Type) []schemaField {
	var out []schemaField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, schemaField{key: name, index: i, typ: f.Type, required: !strings.Contains(opts, "omitempty")})
	}
	return out
}

func fieldOf(t reflect.Type, key string) (schemaField, bool) {
	for _, f := range fieldsOf(t) {
		if f.key == key {
			return f, true
		}
	}
	return schemaField{}, false
}

func keysOf(t reflect.Type) []string {
	var out []string
	for _, f := range fieldsOf(t) {
		out = append(out, f.key)
	}
	return out
}

// isMapping reports whether a field is a YAML mapping (a nested struct):
// merging descends into mappings; everything else is a leaf and replaced
// as a whole.
func isMapping(t reflect.Type) bool { return t.Kind() == reflect.Struct }

// typeAt returns the type of the field at a dotted path ("repository.license.allowed").
func typeAt(path string) (reflect.Type, bool) {
	t := policyType
	for _, key := range strings.Split(path, ".") {
		if !isMapping(t) {
			return nil, false
		}
		f, ok := fieldOf(t, key)
		if !ok {
			return nil, false
		}
		t = f.typ
	}
	return t, true
}

// fieldPaths lists every dotted field path of Policy, parents before
// children, without descending into lists.
func fieldPaths() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for _, f := range fieldsOf(t) {
			p := join(prefix, f.key)
			out = append(out, p)
			if isMapping(f.typ) {
				walk(f.typ, p)
			}
		}
	}
	walk(policyType, "")
	return out
}

// lockablePaths are the paths a repository may set, hence lock.
func lockablePaths() []string {
	var out []string
	for _, p := range fieldPaths() {
		if !isOrgOnly(p) {
			out = append(out, p)
		}
	}
	return out
}

func isOrgOnly(path string) bool {
	top, _, _ := strings.Cut(path, ".")
	for _, k := range orgOnly {
		if top == k {
			return true
		}
	}
	return false
}

// valueAt returns the field of v (a Policy value) at a dotted path.
func valueAt(v reflect.Value, path string) (reflect.Value, bool) {
	for _, key := range strings.Split(path, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		f, ok := fieldOf(v.Type(), key)
		if !ok {
			return reflect.Value{}, false
		}
		v = v.Field(f.index)
	}
	return v, true
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// closest returns the candidate nearest to word by edit distance, if it is
// near enough to be a likely typo.
func closest(word string, candidates []string) string {
	best, bestD := "", len(word)/3+2
	lw := strings.ToLower(word)
	for _, c := range candidates {
		if d := editDistance(lw, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
