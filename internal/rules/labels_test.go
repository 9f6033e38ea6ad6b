package rules

import (
	"reflect"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

var requiredLabelSet = []policy.Label{
	{Name: "kind/bug", Color: "D73A4A", Description: "Something is broken"},
	{Name: "good first issue", Color: "#7057ff"},
	{Name: "needs triage"},
	{Name: "Kind/Bug", Color: "000000"}, // a repeat: the first one wins
	{Name: "  "},                        // unnamed: ignored
}

func TestLabels(t *testing.T) {
	rule := policy.LabelsRule{Mode: policy.Enforce, Required: requiredLabelSet}
	tests := []struct {
		name      string
		labels    []policy.Label
		r         policy.LabelsRule
		want      Result
		fragments []string
	}{
		{"off", nil, policy.LabelsRule{Mode: policy.Off}, Skip, []string{"labels rule is off"}},
		{"not read", nil, rule, Fail, []string{"labels were not read"}},
		{"all present", []policy.Label{{Name: "Kind/Bug", Color: "d73a4a"}, {Name: "good first issue", Color: "7057FF"}, {Name: "needs triage", Color: "ededed"}}, rule, Pass,
			[]string{"all 3 required labels exist"}},
		{"none required", []policy.Label{}, policy.LabelsRule{Mode: policy.Enforce}, Pass, []string{"the policy requires no labels"}},
		{"missing and wrong colour", []policy.Label{{Name: "KIND/BUG", Color: "ffffff"}, {Name: "needs triage"}}, rule, Fail, []string{
			"labels: missing `good first issue`; wrong colour `KIND/BUG` is `#ffffff`, not `#d73a4a`",
			"create `good first issue` `#7057ff`; recolour `KIND/BUG` `#d73a4a` in Issues → Labels (or set repository.labels.fix: true"}},
		{"fix on: no hint", []policy.Label{}, policy.LabelsRule{Mode: policy.Warn, Fix: true, Required: requiredLabelSet[:1]}, Fail,
			[]string{"missing `kind/bug`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Labels(&Snapshot{Labels: tt.labels}, tt.r)
			check(t, f, RuleLabels, tt.want, tt.fragments...)
			if tt.r.Fix && f.Remediation != "create `kind/bug` `#d73a4a` in Issues → Labels" {
				t.Errorf("remediation %q", f.Remediation)
			}
		})
	}
}

func TestMissingLabels(t *testing.T) {
	r := policy.LabelsRule{Mode: policy.Enforce, Fix: true, Required: requiredLabelSet}
	have := []policy.Label{
		{Name: "KIND/BUG", Color: "FFFFFF", Description: "old"},
		{Name: "Good First Issue", Color: "7057FF", Description: "keep"},
	}
	create, update := MissingLabels(&Snapshot{Labels: have}, r)
	wantCreate := []policy.Label{{Name: "needs triage"}}
	wantUpdate := []policy.Label{{Name: "KIND/BUG", Color: "d73a4a", Description: "Something is broken"}}
	if !reflect.DeepEqual(create, wantCreate) || !reflect.DeepEqual(update, wantUpdate) {
		t.Errorf("MissingLabels = %+v, %+v; want %+v, %+v", create, update, wantCreate, wantUpdate)
	}

	create, update = MissingLabels(&Snapshot{Labels: []policy.Label{{Name: "good first issue", Color: "000000", Description: "keep"}}}, policy.LabelsRule{Required: requiredLabelSet[1:2]})
	if len(create) != 0 || !reflect.DeepEqual(update, []policy.Label{{Name: "good first issue", Color: "7057ff", Description: "keep"}}) {
		t.Errorf("an update without a required description keeps the current one: %+v, %+v", create, update)
	}

	for _, s := range []*Snapshot{nil, {}} {
		if c, u := MissingLabels(s, r); c != nil || u != nil {
			t.Errorf("MissingLabels without labels read = %v, %v; want nothing", c, u)
		}
	}
}
