package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The history of migration 011, written as events arrive. Every writer is
// safe to repeat (natural keys, upserts) and takes its time from the event
// (a webhook payload's timestamps), never from the clock, so a redelivery
// or a backdated payload writes the same row. Times are Unix seconds, 0
// meaning "not yet".

// RepositoryDay is one repository check, kept as the day's roll-up.
type RepositoryDay struct {
	RepositoryID, InstallationID int64
	Org, Repository              string // Repository: owner/name
	Private, InScope, Flagged    bool
	Failing                      []string          // the enforce rules failing
	Results                      map[string]string // rule → "mode/result", e.g. "enforce/fail"
	License                      string            // SPDX ID; "" none, "NOASSERTION" unrecognised
	PolicyVersion                string
	At                           time.Time // when the check ran
	// Topics are the repository's topics and Classification the first of
	// the policy's repository.topics.one_of among them ("" none), when
	// HasTopics (the check read the repository); else both are recorded
	// as unknown (NULL).
	Topics         []string
	Classification string
	HasTopics      bool
}

// RecordRepositoryDay upserts the check's row of its UTC day: the day's
// latest check wins, and an older one arriving late changes nothing.
func (s *Store) RecordRepositoryDay(ctx context.Context, d RepositoryDay) error {
	at := d.At.UTC()
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).Unix()
	failing := slices.Clone(d.Failing)
	slices.Sort(failing)
	results := ""
	if len(d.Results) > 0 {
		b, err := json.Marshal(d.Results) // keys sorted: the same results, the same text
		if err != nil {
			return fmt.Errorf("encode results of %s: %w", d.Repository, err)
		}
		results = string(b)
	}
	var topics, class any // NULL: unknown
	if d.HasTopics {
		t := slices.Clone(d.Topics)
		slices.Sort(t)
		topics, class = strings.Join(slices.Compact(t), ","), d.Classification
	}
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO repository_days (repository_id, day, installation_id, org, repository, private, in_scope, flagged,
			failing, results, license, policy_version, checked_at, topics, classification)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (repository_id, day) DO UPDATE SET installation_id = excluded.installation_id, org = excluded.org,
			repository = excluded.repository, private = excluded.private, in_scope = excluded.in_scope,
			flagged = excluded.flagged, failing = excluded.failing, results = excluded.results,
			license = excluded.license, policy_version = excluded.policy_version, checked_at = excluded.checked_at,
			topics = excluded.topics, classification = excluded.classification
		WHERE excluded.checked_at >= repository_days.checked_at`,
		d.RepositoryID, day, d.InstallationID, d.Org, d.Repository, d.Private, d.InScope, d.Flagged,
		strings.Join(failing, ","), results, d.License, d.PolicyVersion, at.Unix(), topics, class)
	if err != nil {
		return fmt.Errorf("record the day of %s: %w", d.Repository, err)
	}
	return nil
}

// Kinds of review events.
const (
	ReviewOpened    = "opened"
	ReviewReopened  = "reopened"
	ReviewResponded = "responded" // the first comment of someone other than the bot
	ReviewDecided   = "decided"   // an accepted deciding command (Verb, Rule)
	ReviewClosed    = "closed"
)

// ReviewEvent is a moment in the life of a repository's review issue.
type ReviewEvent struct {
	// Key names the event independently of the delivery that carried it,
	// e.g. "review 42 issue 7 opened" or "comment 123 command 0 approve".
	// One key per review issue for ReviewResponded keeps the first.
	Key                          string
	RepositoryID, InstallationID int64
	Org, Repository              string // the repository under review
	Kind, Actor, Verb, Rule      string
	At                           time.Time
}

// RecordReviewEvent records an event once per key; an event with a key
// already recorded replaces it only when it happened earlier (the first
// response that arrives late still counts as the first).
func (s *Store) RecordReviewEvent(ctx context.Context, e ReviewEvent) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO review_events (event_key, repository_id, installation_id, org, repository, kind, actor, verb, rule, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (event_key) DO UPDATE SET actor = excluded.actor, verb = excluded.verb, rule = excluded.rule, at = excluded.at
		WHERE excluded.at < review_events.at`,
		e.Key, e.RepositoryID, e.InstallationID, e.Org, e.Repository, e.Kind, e.Actor, e.Verb, e.Rule, e.At.Unix())
	if err != nil {
		return fmt.Errorf("record review event %s of %s: %w", e.Kind, e.Repository, err)
	}
	return nil
}

// Kinds of CLA events.
const (
	CLASigned  = "signed"
	CLARevoked = "revoked"
)

// CLAEvent is a CLA signature or revocation.
type CLAEvent struct {
	Key, Org             string
	UserID               int64
	Login, Kind, Version string
	At                   time.Time
}

// RecordCLAEvent records a CLA event once per key.
func (s *Store) RecordCLAEvent(ctx context.Context, e CLAEvent) error {
	return recordCLAEvent(ctx, s.DB, e)
}

func recordCLAEvent(ctx context.Context, db execer, e CLAEvent) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO cla_events (event_key, org, user_id, login, kind, version, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (event_key) DO NOTHING`,
		e.Key, e.Org, e.UserID, e.Login, e.Kind, e.Version, e.At.Unix())
	if err != nil {
		return fmt.Errorf("record CLA event %s of %s: %w", e.Kind, e.Login, err)
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// PullRequestFact is what a pull request's webhooks tell of its opening.
type PullRequestFact struct {
	Repository        string // owner/name
	Number            int
	InstallationID    int64
	RepositoryID      int64
	Org, Author       string
	AuthorID          int64
	AuthorAssociation string // GitHub's: OWNER, MEMBER, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, NONE…
	AuthorBot         bool
	OpenedAt          time.Time // the pull request's created_at
	// Opening: the fact comes from the "opened" event itself, whose
	// author_association replaces what a later event said (GitHub gives
	// the association as of each event: a first-time contributor is a
	// contributor once merged). Otherwise the first association recorded
	// stays.
	Opening bool
}

// RecordPullRequestOpened upserts a pull request's row with what every
// webhook about it carries; its response, close, reopens and CLA columns
// are left as they are. Every writer below needs this row first.
func (s *Store) RecordPullRequestOpened(ctx context.Context, f PullRequestFact) error {
	opened := f.OpenedAt.Unix()
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO pull_request_facts (repository, number, installation_id, org, repository_id, author, author_id,
			author_association, author_bot, opened_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
		ON CONFLICT (repository, number) DO UPDATE SET installation_id = excluded.installation_id, org = excluded.org,
			repository_id = CASE WHEN excluded.repository_id <> 0 THEN excluded.repository_id ELSE pull_request_facts.repository_id END,
			author = excluded.author,
			author_id = CASE WHEN excluded.author_id <> 0 THEN excluded.author_id ELSE pull_request_facts.author_id END,
			author_association = CASE WHEN pull_request_facts.author_association = '' OR ($11 AND excluded.author_association <> '')
				THEN excluded.author_association ELSE pull_request_facts.author_association END,
			author_bot = excluded.author_bot, opened_at = excluded.opened_at,
			updated_at = CASE WHEN excluded.updated_at > pull_request_facts.updated_at THEN excluded.updated_at
				ELSE pull_request_facts.updated_at END`,
		f.Repository, f.Number, f.InstallationID, f.Org, f.RepositoryID, f.Author, f.AuthorID,
		f.AuthorAssociation, f.AuthorBot, opened, f.Opening)
	if err != nil {
		return fmt.Errorf("record pull request %s#%d: %w", f.Repository, f.Number, err)
	}
	return nil
}

// RecordPullRequestResponse records a response (a comment or a review) by
// responder at at, keeping the earliest; the author's own is no response.
// The caller leaves out bots. Without the pull request's row it records
// nothing.
func (s *Store) RecordPullRequestResponse(ctx context.Context, repository string, number int, responder string, at time.Time) error {
	_, err := s.DB.ExecContext(ctx, `
		UPDATE pull_request_facts SET first_response_at = $1, first_responder = $2
		WHERE repository = $3 AND number = $4 AND LOWER(author) <> LOWER($2)
			AND (first_response_at = 0 OR first_response_at > $1)`,
		at.Unix(), responder, repository, number)
	if err != nil {
		return fmt.Errorf("record response to %s#%d: %w", repository, number, err)
	}
	return nil
}

// The lifecycle writers below order a pull request's closes and reopens by
// their time, kept in updated_at (the latest of them applied): one older
// than the latest arriving late changes nothing, and a redelivered reopen
// does not count twice.

// RecordPullRequestClosed records a close (merged or not) at at.
func (s *Store) RecordPullRequestClosed(ctx context.Context, repository string, number int, merged bool, at time.Time) error {
	_, err := s.DB.ExecContext(ctx, `
		UPDATE pull_request_facts SET closed_at = $1, merged = $2, updated_at = $1
		WHERE repository = $3 AND number = $4 AND $1 >= updated_at`,
		at.Unix(), merged, repository, number)
	if err != nil {
		return fmt.Errorf("record close of %s#%d: %w", repository, number, err)
	}
	return nil
}

// RecordPullRequestReopened records a reopen at at: it clears the close
// and counts.
func (s *Store) RecordPullRequestReopened(ctx context.Context, repository string, number int, at time.Time) error {
	_, err := s.DB.ExecContext(ctx, `
		UPDATE pull_request_facts SET closed_at = 0, merged = FALSE, reopened = reopened + 1, updated_at = $1
		WHERE repository = $2 AND number = $3 AND ($1 > updated_at OR ($1 = updated_at AND closed_at <> 0))`,
		at.Unix(), repository, number)
	if err != nil {
		return fmt.Errorf("record reopen of %s#%d: %w", repository, number, err)
	}
	return nil
}

// recordCLABlocking notes on the pull request's facts, at at, that the
// CLA blocks it (now more than 0 blockers: cla_blocked_at keeps the first
// block, cla_unblocked_at is 0 while blocked) or ceased to (before more,
// now 0: cla_unblocked_at is the last unblock). A check that finds it
// blocked fills cla_blocked_at even if its facts row came after the block
// began.
func recordCLABlocking(ctx context.Context, tx *sql.Tx, pr PullRequestRef, before, now int, at time.Time) error {
	var q string
	switch {
	case now > 0:
		q = `UPDATE pull_request_facts SET cla_unblocked_at = 0,
			cla_blocked_at = CASE WHEN cla_blocked_at = 0 THEN $1 ELSE cla_blocked_at END
			WHERE repository = $2 AND number = $3 AND (cla_blocked_at = 0 OR cla_unblocked_at <> 0)`
	case before > 0:
		q = `UPDATE pull_request_facts SET cla_unblocked_at = $1
			WHERE repository = $2 AND number = $3 AND cla_blocked_at <> 0`
	default:
		return nil
	}
	if _, err := tx.ExecContext(ctx, q, at.Unix(), pr.Repository, pr.Number); err != nil {
		return fmt.Errorf("record CLA blocking of %s#%d: %w", pr.Repository, pr.Number, err)
	}
	return nil
}
