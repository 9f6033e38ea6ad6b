package policy

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const agentsExample = `pull_request:
  cla:
    agents: block
    agent_identities:
      - {name: Acme Coder, email: coder@acme.example}
      - name: Acme Reviewer
        login: "acme-reviewer[bot]"
`

func TestPolicyParseAgents(t *testing.T) {
	got, err := Parse("ospo.yml", []byte(agentsExample), true)
	if err != nil {
		t.Fatal(err)
	}
	want := CLARule{Agents: AgentsBlock, AgentIdentities: []AgentIdentity{
		{Name: "Acme Coder", Email: "coder@acme.example"},
		{Name: "Acme Reviewer", Login: "acme-reviewer[bot]"},
	}}
	if !reflect.DeepEqual(got.PullRequest.CLA, want) {
		t.Errorf("got  %+v\nwant %+v", got.PullRequest.CLA, want)
	}
	for _, mode := range []string{"allow", "sponsor", "block"} {
		if _, err := Parse("ospo.yml", []byte("pull_request:\n  cla: {agents: "+mode+"}\n"), true); err != nil {
			t.Errorf("agents: %s: %v", mode, err)
		}
	}
}

func TestPolicyParseAgentsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"not a policy", "pull_request:\n  cla: {agents: maybe}\n",
			[]string{`ospo.yml:2:17: pull_request.cla.agents: "maybe" is not an agent policy; use allow, sponsor or block`}},
		{"a bool", "pull_request:\n  cla: {agents: true}\n",
			[]string{`ospo.yml:2:17: pull_request.cla.agents must be a string, found true`}},
		{"identities not a list", "pull_request:\n  cla:\n    agent_identities: {name: X, email: x@x.example}\n",
			[]string{`ospo.yml:3:23: pull_request.cla.agent_identities must be a list, found a mapping`}},
		{"neither email nor login", "pull_request:\n  cla:\n    agent_identities:\n      - {name: Claude}\n",
			[]string{`ospo.yml:4:9: pull_request.cla.agent_identities[0] needs an email or a login: an agent is recognised by them, never by its name alone`}},
		{"no name", "pull_request:\n  cla:\n    agent_identities:\n      - {email: x@x.example}\n",
			[]string{`ospo.yml:4:9: pull_request.cla.agent_identities[0] needs a name`}},
		{"bad values", "pull_request:\n  cla:\n    agent_identities:\n      - {name: ' ', email: claude, login: 'a b'}\n      - {name: X, email: '*@anthropic.com'}\n", []string{
			`ospo.yml:4:16: pull_request.cla.agent_identities[0].name: an agent needs a name, as messages call it`,
			`ospo.yml:4:28: pull_request.cla.agent_identities[0].email: "claude" is not an email address (e.g. noreply@anthropic.com); it is matched exactly, ignoring case`,
			`ospo.yml:4:43: pull_request.cla.agent_identities[0].login: "a b" is not a GitHub login (e.g. copilot-swe-agent[bot])`,
			`ospo.yml:5:26: pull_request.cla.agent_identities[1].email: "*@anthropic.com" is not an email address (e.g. noreply@anthropic.com); it is matched exactly, ignoring case`,
		}},
		{"unknown key", "pull_request:\n  cla:\n    agent_identities:\n      - {name: X, mail: x@x.example}\n",
			[]string{`unknown key "mail" in pull_request.cla.agent_identities[0] (did you mean "email"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("ospo.yml", []byte(tt.in), true)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("errors lack %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestPolicyAgentsDefaultsAndMerge(t *testing.T) {
	if got := Defaults().PullRequest.CLA.Agents; got != AgentsSponsor {
		t.Errorf("default agents = %q, want sponsor", got)
	}
	org := mustDoc(t, "ospo.yml", "locked: [pull_request.cla.agents]\n"+agentsExample, true)
	repo := mustDoc(t, ".github/ospo.yml", "pull_request:\n  cla:\n    agents: allow\n    agent_identities: [{name: Local Bot, email: bot@local.example}]\n", false)
	p, notices := Merge(org, repo)
	cla := p.PullRequest.CLA
	if cla.Agents != AgentsBlock {
		t.Errorf("agents = %q: the org locked block", cla.Agents)
	}
	// Lists are replaced whole, never appended.
	if want := []AgentIdentity{{Name: "Local Bot", Email: "bot@local.example"}}; !slices.Equal(cla.AgentIdentities, want) {
		t.Errorf("identities = %+v, want %+v", cla.AgentIdentities, want)
	}
	if len(notices) != 1 || !strings.Contains(notices[0].String(), "pull_request.cla.agents is locked by the org policy") {
		t.Errorf("notices = %v", notices)
	}
	// The explained policy says so and parses back.
	e := Resolve(org, repo)
	out := string(e.YAML())
	for _, s := range []string{"agents: block # ospo.yml:4", "agent_identities: # .github/ospo.yml:4", "- {name: Local Bot, email: bot@local.example}"} {
		if !strings.Contains(out, s) {
			t.Errorf("explain output lacks %q:\n%s", s, out)
		}
	}
	if _, err := Parse("explained.yml", []byte(out), true); err != nil {
		t.Errorf("explain output does not parse: %v", err)
	}
	out = string(Resolve(nil, nil).YAML())
	if !strings.Contains(out, "agents: sponsor # default") {
		t.Errorf("explain output lacks the default agents:\n%s", out)
	}
}
