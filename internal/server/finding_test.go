package server_test

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// widgetFinding is the widget repository's last recorded finding of a
// rule, and when it was checked (zero before its first check).
func (s *scenario) widgetFinding(rule string) (rules.Finding, time.Time) {
	s.t.Helper()
	c, err := s.App.Store.RepositoryCheckOf(context.Background(), s.widget.ID)
	if err != nil {
		return rules.Finding{}, time.Time{}
	}
	var fs []rules.Finding
	if err := json.Unmarshal([]byte(c.Findings), &fs); err != nil {
		s.t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == rule {
			return f, c.CheckedAt
		}
	}
	return rules.Finding{}, c.CheckedAt
}

// recheckedFinding does act, waits until the widget repository is
// checked again, and returns its finding of the rule.
func (s *scenario) recheckedFinding(rule, step string, act func()) rules.Finding {
	s.t.Helper()
	_, before := s.widgetFinding(rule)
	act()
	s.until(step+": checked again", func() bool { _, at := s.widgetFinding(rule); return at.After(before) })
	f, _ := s.widgetFinding(rule)
	return f
}
