package prcheck

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// outsideCode is markdown text with its code spans removed, as CommonMark
// reads them: a run of n backticks opens a span that the next run of
// exactly n backticks closes; an unclosed run is literal text.
func outsideCode(md string) string {
	var out strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' {
			out.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		closed := -1
		for j := i + n; j < len(md); {
			if md[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(md) && md[j+m] == '`' {
				m++
			}
			if m == n {
				closed = j + m
				break
			}
			j += m
		}
		if closed < 0 {
			out.WriteString(md[i : i+n])
			i += n
			continue
		}
		i = closed
	}
	return out.String()
}

// TestAgentNamesAreInert: the names in AI agents' commits are anyone's
// text. Listed in the sticky comment, a name with backticks stays within
// its code span: it mentions no one, links nowhere and fakes no marker.
func TestAgentNamesAreInert(t *testing.T) {
	r := policy.CLARule{Document: "https://acme.example/cla", Version: "1", Phrase: "I sign"}
	evil := "x` @acme/everyone [sign here](https://evil.example) <!-- ospo-bot:pull-request --> `y"
	for _, p := range []rules.Person{
		{Name: evil, Email: "noreply@anthropic.com"},
		{Name: "``" + evil, Email: "noreply@anthropic.com"},
		{Name: evil},
	} {
		note := ContributorNote(rules.CLAResult{Complete: true, AgentPolicy: policy.AgentsBlock,
			Agents: []rules.AgentWork{{Agent: "Claude", Person: p}}}, r, nil, "https://github.com/acme/widgets/pull/1/commits")
		text := outsideCode(note)
		for _, bad := range []string{"@acme/everyone", "](https://evil.example)", "<!--"} {
			if strings.Contains(text, bad) {
				t.Errorf("%q is live in the note:\n%s", bad, note)
			}
		}
		if !strings.Contains(note, "@acme/everyone") {
			t.Errorf("the name is not shown:\n%s", note)
		}
	}
}

// TestAgentNamesAreInertInTheCheckRun: the check run's summary names the
// blocked agents' commit identities too, each within its code span.
func TestAgentNamesAreInertInTheCheckRun(t *testing.T) {
	for _, evil := range []string{"[sign here](https://evil.example) @acme/everyone", "x` [sign here](https://evil.example) @acme/everyone"} {
		agentNameInSummary(t, evil)
	}
}

func agentNameInSummary(t *testing.T, evil string) {
	t.Helper()
	pr := &rules.PullRequest{Owner: "acme", Name: "widget", Number: 1, CommitsComplete: true, CommitCount: 1,
		Opener:  rules.Account{ID: 1, Login: "alice", Type: "User"},
		Commits: []rules.Commit{{SHA: "a1", Message: "Change", Author: rules.Person{Name: evil, Email: "noreply@anthropic.com"}}}}
	f := rules.CLA(pr, policy.CLARule{Mode: policy.Enforce, Document: "https://acme.example/cla", Version: "1", Agents: policy.AgentsBlock})
	summary := Summary([]rules.Finding{f}, "https://github.com/acme/widget/pull/1")
	text := outsideCode(summary)
	for _, bad := range []string{"@acme/everyone", "](https://evil.example)"} {
		if strings.Contains(text, bad) {
			t.Errorf("%q is live in the summary:\n%s", bad, summary)
		}
	}
	if !strings.Contains(summary, "@acme/everyone") {
		t.Errorf("the name is not shown:\n%s", summary)
	}
}
