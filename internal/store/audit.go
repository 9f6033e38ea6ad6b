package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one decision or refusal: who did what to which subject, when and why.
type AuditEntry struct {
	At             time.Time
	InstallationID int64
	Actor          string // GitHub login, or "ospo-bot" for the bot's own acts
	Action         string // e.g. "approve", "reject", "exempt", "refuse"
	Subject        string // e.g. "acme/widget" or "acme/widget#12"
	Reason         string
	URL            string // the comment or page that carried the decision
	PolicyVersion  string // the policy text in force (policy.Effective.Version)
	// Key, when set, names the act independently of the delivery that
	// carried it (e.g. "comment 123 command 0 approve"): an entry with a
	// key already written is not written again.
	Key string
}

// AppendAudit writes an entry to the audit log, once per Key when it has
// one. Entries are never updated.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	return insertAudit(ctx, s.DB, e)
}

// insertAudit writes an entry with q: the store, or a transaction whose
// other writes it belongs with.
func insertAudit(ctx context.Context, q execer, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	var key any
	if e.Key != "" {
		key = e.Key
	}
	// The entry's org and repository (migration 017): the subject's owner,
	// else its installation's account, else the subject itself when it is
	// a login (a CLA signature's subject is the org), else "-", which no
	// login is; the subject without "#12".
	org, _, ok := strings.Cut(e.Subject, "/")
	repo, _, _ := strings.Cut(e.Subject, "#")
	self := ""
	if !ok || org == "" {
		org, repo = "", ""
		if loginShaped(e.Subject) {
			self = strings.ToLower(e.Subject)
		}
	}
	_, err := q.ExecContext(ctx, `
		INSERT INTO audit_log (at, installation_id, actor, action, subject, reason, url, policy_version, natural_key, org, repo)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
			COALESCE(NULLIF($10, ''), (SELECT LOWER(account) FROM installations WHERE id = $2), NULLIF($12, ''), '-'), $11)
		ON CONFLICT DO NOTHING`,
		e.At.UTC(), e.InstallationID, e.Actor, e.Action, e.Subject, e.Reason, e.URL, e.PolicyVersion, key, strings.ToLower(org), strings.ToLower(repo), self)
	if err != nil {
		return fmt.Errorf("write audit entry %s %s by %s: %w", e.Action, e.Subject, e.Actor, err)
	}
	return nil
}

// AuditLog returns the entries about subject (all when empty), oldest first.
func (s *Store) AuditLog(ctx context.Context, subject string) ([]AuditEntry, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT at, installation_id, actor, action, subject, reason, url, policy_version FROM audit_log
		WHERE $1 = '' OR subject = $1 ORDER BY id`, subject)
	if err != nil {
		return nil, err
	}
	return scanAudit(rows)
}

// scanAudit reads the rows of a query of audit_log's columns at,
// installation_id, actor, action, subject, reason, url, policy_version.
func scanAudit(rows *sql.Rows) ([]AuditEntry, error) {
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.At, &e.InstallationID, &e.Actor, &e.Action, &e.Subject, &e.Reason, &e.URL, &e.PolicyVersion); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// loginShaped: letters, digits and hyphens, not starting with a hyphen, as
// GitHub's logins are (FillAuditOrgs has the same test in SQL).
func loginShaped(s string) bool {
	if s == "" || len(s) > 39 || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
