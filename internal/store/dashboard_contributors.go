package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
)

// The rollups of the dashboard's Contributors & CLA page (migration 018):
// pull requests opened a day by class, each author's first pull request,
// and the Contributor Absence Factor of each repository for the untils a
// page asked for. Triggers on pull_request_facts mark what changed
// (dashboard_contributors_dirty); RefreshContributors computes those keys
// again from pull_request_facts, with internal/kpi's definitions, so the
// page's numbers are the report's.

const day = 24 * 60 * 60

// fullRefreshAbove is the number of marked keys of a kind above which the
// refresh computes the whole kind again in one pass rather than key by key.
const fullRefreshAbove = 500

// absenceKeep is how long an until nobody asks for again is kept up to date.
const absenceKeep = 7 * 24 * time.Hour

// RefreshContributors brings org's contributor rollups up to date as of
// now: the keys the triggers marked, or everything the first time. Running
// it twice writes the same rows; it is safe on several replicas at once
// (a mark made while it runs stays for the next refresh).
func (s *Store) RefreshContributors(ctx context.Context, org string, now time.Time) error {
	var refreshed int64
	err := s.DB.QueryRowContext(ctx, `SELECT refreshed_at FROM dashboard_contributors_state WHERE org = $1`, org).Scan(&refreshed)
	full := IsNotFound(err)
	if err != nil && !full {
		return fmt.Errorf("read the contributors' rollup state of %s: %w", org, err)
	}
	type mark struct {
		kind, key string
		gen       int64
	}
	var marks []mark
	rows, err := s.DB.QueryContext(ctx, `SELECT kind, key, gen FROM dashboard_contributors_dirty WHERE org = $1`, org)
	if err != nil {
		return fmt.Errorf("read the contributors' changes of %s: %w", org, err)
	}
	var days, blocked, users []int64
	var authors, repos []string
	for rows.Next() {
		var m mark
		if err := rows.Scan(&m.kind, &m.key, &m.gen); err != nil {
			rows.Close()
			return err
		}
		marks = append(marks, m)
		switch m.kind {
		case "day":
			if d, err := strconv.ParseInt(m.key, 10, 64); err == nil {
				days = append(days, d)
			}
		case "blocked":
			if d, err := strconv.ParseInt(m.key, 10, 64); err == nil && d > 0 {
				blocked = append(blocked, d)
			}
		case "cla_user":
			if u, err := strconv.ParseInt(m.key, 10, 64); err == nil {
				users = append(users, u)
			}
		case "author":
			authors = append(authors, m.key)
		case "repository":
			repos = append(repos, m.key)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	if full {
		err = s.refreshContributorDays(ctx, org, [][2]int64{{0, 1 << 62}})
	} else {
		err = s.refreshContributorDays(ctx, org, dayRanges(days))
	}
	if err != nil {
		return err
	}
	if full {
		err = s.refreshBlockedDays(ctx, org, [][2]int64{{1, 1 << 62}})
	} else {
		err = s.refreshBlockedDays(ctx, org, dayRanges(blocked))
	}
	if err != nil {
		return err
	}
	if err := s.refreshCLA(ctx, org, users, full || len(users) > fullRefreshAbove); err != nil {
		return err
	}
	if err := s.refreshFirstPullRequests(ctx, org, authors, full || len(authors) > fullRefreshAbove); err != nil {
		return err
	}
	if err := s.refreshAbsence(ctx, org, repos, full || len(repos) > fullRefreshAbove, now); err != nil {
		return err
	}

	// Clear the marks computed, unless marked again meanwhile.
	for _, m := range marks {
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM dashboard_contributors_dirty WHERE org = $1 AND kind = $2 AND key = $3 AND gen = $4`,
			org, m.kind, m.key, m.gen); err != nil {
			return fmt.Errorf("clear the contributors' changes of %s: %w", org, err)
		}
	}
	if full && s.Dialect == Postgres {
		// Statistics for the planner now, not at autovacuum's leisure:
		// without them it sorts the absence factors rather than read an
		// index.
		if _, err := s.DB.ExecContext(ctx, `ANALYZE dashboard_contributor_days, dashboard_first_pull_requests, dashboard_first_days,
			dashboard_absence, dashboard_cla_user_days, dashboard_cla_days, dashboard_cla_blocked_days`); err != nil {
			return fmt.Errorf("analyze the contributors' rollups: %w", err)
		}
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO dashboard_contributors_state (org, refreshed_at) VALUES ($1, $2)
		ON CONFLICT (org) DO UPDATE SET refreshed_at = excluded.refreshed_at`, org, now.Unix()); err != nil {
		return fmt.Errorf("record the contributors' refresh of %s: %w", org, err)
	}
	return nil
}

// dayRanges merges days (UTC midnights) into ranges [from, to) of
// consecutive days.
func dayRanges(days []int64) [][2]int64 {
	slices.Sort(days)
	var out [][2]int64
	for _, d := range slices.Compact(days) {
		if n := len(out); n > 0 && out[n-1][1] == d {
			out[n-1][1] = d + day
			continue
		}
		out = append(out, [2]int64{d, d + day})
	}
	return out
}

// refreshContributorDays computes the days of ranges again: the pull
// requests opened each day, bots apart, by members and external authors.
func (s *Store) refreshContributorDays(ctx context.Context, org string, ranges [][2]int64) error {
	for _, r := range ranges {
		counts := map[int64]*[3]int64{} // day → members, externals, bots
		rows, err := s.DB.QueryContext(ctx, `SELECT opened_at, author, author_association, author_bot FROM pull_request_facts
			WHERE org = $1 AND opened_at >= $2 AND opened_at < $3`, org, r[0], r[1])
		if err != nil {
			return fmt.Errorf("read the pull requests opened by day of %s: %w", org, err)
		}
		for rows.Next() {
			var opened int64
			var author, assoc string
			var bot bool
			if err := rows.Scan(&opened, &author, &assoc, &bot); err != nil {
				rows.Close()
				return err
			}
			d := opened - opened%day
			c := counts[d]
			if c == nil {
				c = new([3]int64)
				counts[d] = c
			}
			switch {
			case kpi.IsBot(author, bot):
				c[2]++
			case kpi.IsMember(assoc):
				c[0]++
			default:
				c[1]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		err = s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_contributor_days WHERE org = $1 AND day >= $2 AND day < $3`,
				org, r[0], r[1]); err != nil {
				return err
			}
			b := batch{tx: tx, head: `INSERT INTO dashboard_contributor_days (org, day, members, externals, bots) VALUES `,
				tail: ` ON CONFLICT (org, day) DO UPDATE SET members = excluded.members, externals = excluded.externals, bots = excluded.bots`}
			for d, c := range counts {
				if err := b.add(ctx, org, d, c[0], c[1], c[2]); err != nil {
					return err
				}
			}
			return b.flush(ctx)
		})
		if err != nil {
			return fmt.Errorf("write the pull requests opened by day of %s: %w", org, err)
		}
	}
	return nil
}

// refreshBlockedDays computes the days of ranges again: the pull
// requests, bots apart, whose CLA block began each day, and the time each
// unblocked one took.
func (s *Store) refreshBlockedDays(ctx context.Context, org string, ranges [][2]int64) error {
	for _, r := range ranges {
		type blockedDay struct {
			n        int
			unblocks [][2]int64 // seconds taken, seconds after the day's start
		}
		by := map[int64]*blockedDay{}
		rows, err := s.DB.QueryContext(ctx, `SELECT author, author_bot, cla_blocked_at, cla_unblocked_at FROM pull_request_facts
			WHERE org = $1 AND cla_blocked_at >= $2 AND cla_blocked_at < $3 AND cla_blocked_at > 0`, org, r[0], r[1])
		if err != nil {
			return fmt.Errorf("read the pull requests blocked by the CLA of %s: %w", org, err)
		}
		for rows.Next() {
			var author string
			var bot bool
			var blocked, unblocked int64
			if err := rows.Scan(&author, &bot, &blocked, &unblocked); err != nil {
				rows.Close()
				return err
			}
			if kpi.IsBot(author, bot) {
				continue
			}
			d := blocked - blocked%day
			b := by[d]
			if b == nil {
				b = &blockedDay{}
				by[d] = b
			}
			b.n++
			if unblocked != 0 {
				b.unblocks = append(b.unblocks, [2]int64{unblocked - blocked, unblocked - d})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		err = s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_cla_blocked_days WHERE org = $1 AND day >= $2 AND day < $3`,
				org, r[0], r[1]); err != nil {
				return err
			}
			b := batch{tx: tx, head: `INSERT INTO dashboard_cla_blocked_days (org, day, blocked, unblocks) VALUES `,
				tail: ` ON CONFLICT (org, day) DO UPDATE SET blocked = excluded.blocked, unblocks = excluded.unblocks`}
			for d, bd := range by {
				slices.SortFunc(bd.unblocks, func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
				enc := []byte{}
				for _, u := range bd.unblocks {
					enc = binary.AppendVarint(binary.AppendVarint(enc, u[0]), u[1])
				}
				if err := b.add(ctx, org, d, bd.n, enc); err != nil {
					return err
				}
			}
			return b.flush(ctx)
		})
		if err != nil {
			return fmt.Errorf("write the pull requests blocked by the CLA of %s: %w", org, err)
		}
	}
	return nil
}

// claUserDay is a user's part of a day of dashboard_cla_days.
type claUserDay struct{ newSigner, inForce int64 }

// claUserDays is what a user's CLA events make of each day, as
// kpi.CLASigners reads them: a new signer the day of the first signature,
// and +1 (-1) the days at whose end the user's latest event is (no longer)
// a signature.
func claUserDays(evs []CLAEventRow) map[int64]claUserDay {
	slices.SortStableFunc(evs, func(a, b CLAEventRow) int { return a.At.Compare(b.At) })
	out := map[int64]claUserDay{}
	start := map[int64]bool{}
	var signed, first bool
	var days []int64
	for _, e := range evs {
		d := e.At.Unix() - e.At.Unix()%day
		if _, ok := start[d]; !ok {
			start[d] = signed
			days = append(days, d)
		}
		if !first && e.Kind == CLASigned {
			first = true
			out[d] = claUserDay{newSigner: 1}
		}
		signed = e.Kind == CLASigned
		u := out[d]
		u.inForce = 0
		if signed && !start[d] {
			u.inForce = 1
		} else if !signed && start[d] {
			u.inForce = -1
		}
		out[d] = u
	}
	for d, u := range out {
		if u == (claUserDay{}) {
			delete(out, d)
		}
	}
	return out
}

// refreshCLA computes the CLA signers by day again: the part of users, or
// of everyone when all.
func (s *Store) refreshCLA(ctx context.Context, org string, users []int64, all bool) error {
	if all {
		evs, err := s.OrgCLAEvents(ctx, org, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		by := map[int64][]CLAEventRow{}
		for _, e := range evs {
			by[e.UserID] = append(by[e.UserID], e)
		}
		return s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			for _, q := range []string{`DELETE FROM dashboard_cla_user_days WHERE org = $1`, `DELETE FROM dashboard_cla_days WHERE org = $1`} {
				if _, err := tx.ExecContext(ctx, q, org); err != nil {
					return fmt.Errorf("write the CLA signers of %s: %w", org, err)
				}
			}
			b := batch{tx: tx, head: `INSERT INTO dashboard_cla_user_days (org, user_id, day, new_signers, in_force) VALUES `,
				tail: ` ON CONFLICT (org, user_id, day) DO UPDATE SET new_signers = excluded.new_signers, in_force = excluded.in_force`}
			for user, evs := range by {
				for d, u := range claUserDays(evs) {
					if err := b.add(ctx, org, user, d, u.newSigner, u.inForce); err != nil {
						return fmt.Errorf("write the CLA signers of %s: %w", org, err)
					}
				}
			}
			if err := b.flush(ctx); err != nil {
				return fmt.Errorf("write the CLA signers of %s: %w", org, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_cla_days (org, day, new_signers, in_force)
				SELECT org, day, SUM(new_signers), SUM(in_force) FROM dashboard_cla_user_days WHERE org = $1 GROUP BY org, day
				ON CONFLICT (org, day) DO UPDATE SET new_signers = excluded.new_signers, in_force = excluded.in_force`, org)
			return err
		})
	}
	for _, user := range users {
		evs, err := s.claUserEvents(ctx, org, user)
		if err != nil {
			return err
		}
		err = s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT day FROM dashboard_cla_user_days WHERE org = $1 AND user_id = $2`, org, user)
			if err != nil {
				return err
			}
			var days []int64
			for rows.Next() {
				var d int64
				if err := rows.Scan(&d); err != nil {
					rows.Close()
					return err
				}
				days = append(days, d)
			}
			rows.Close()
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_cla_user_days WHERE org = $1 AND user_id = $2`, org, user); err != nil {
				return err
			}
			for d, u := range claUserDays(evs) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO dashboard_cla_user_days (org, user_id, day, new_signers, in_force)
					VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, user_id, day)
					DO UPDATE SET new_signers = excluded.new_signers, in_force = excluded.in_force`, org, user, d, u.newSigner, u.inForce); err != nil {
					return err
				}
				days = append(days, d)
			}
			slices.Sort(days)
			for _, d := range slices.Compact(days) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_cla_days WHERE org = $1 AND day = $2`, org, d); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO dashboard_cla_days (org, day, new_signers, in_force)
					SELECT org, day, SUM(new_signers), SUM(in_force) FROM dashboard_cla_user_days WHERE org = $1 AND day = $2
					GROUP BY org, day ON CONFLICT (org, day) DO UPDATE SET new_signers = excluded.new_signers, in_force = excluded.in_force`, org, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("write the CLA signers of %s (user %d): %w", org, user, err)
		}
	}
	return nil
}

// claUserEvents is OrgCLAEvents of one user, at any time.
func (s *Store) claUserEvents(ctx context.Context, org string, user int64) ([]CLAEventRow, error) {
	var out []CLAEventRow
	rows, err := s.DB.QueryContext(ctx, `SELECT kind, at FROM cla_events WHERE org = $1 AND user_id = $2`, org, user)
	if err != nil {
		return nil, fmt.Errorf("read CLA events of %d in %s: %w", user, org, err)
	}
	for rows.Next() {
		e := CLAEventRow{UserID: user}
		var at int64
		if err := rows.Scan(&e.Kind, &at); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = unixTime(at)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	e := CLAEventRow{UserID: user, Kind: CLASigned}
	err = s.DB.QueryRowContext(ctx, `SELECT signed_at FROM cla_signatures WHERE org = $1 AND user_id = $2`, org, user).Scan(&e.At)
	if err == nil {
		out = append(out, e)
	} else if !IsNotFound(err) {
		return nil, fmt.Errorf("read the CLA signature of %d in %s: %w", user, org, err)
	}
	return out, nil
}

// refreshFirstPullRequests computes each author's first pull request in
// the org again: of authors, or of everyone when all.
func (s *Store) refreshFirstPullRequests(ctx context.Context, org string, authors []string, all bool) error {
	if all {
		type first struct {
			author string
			bot    bool
			at     int64
		}
		var firsts []first
		rows, err := s.DB.QueryContext(ctx, `SELECT author, MAX(CASE WHEN author_bot THEN 1 ELSE 0 END), MIN(opened_at)
			FROM pull_request_facts WHERE org = $1 GROUP BY author`, org)
		if err != nil {
			return fmt.Errorf("read the first pull requests of %s: %w", org, err)
		}
		for rows.Next() {
			var f first
			var bot int
			if err := rows.Scan(&f.author, &bot, &f.at); err != nil {
				rows.Close()
				return err
			}
			f.bot = kpi.IsBot(f.author, bot == 1)
			firsts = append(firsts, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_first_pull_requests WHERE org = $1`, org); err != nil {
				return err
			}
			b := batch{tx: tx, head: `INSERT INTO dashboard_first_pull_requests (org, author, first_opened, bot) VALUES `,
				tail: ` ON CONFLICT (org, author) DO UPDATE SET first_opened = excluded.first_opened, bot = excluded.bot`}
			for _, f := range firsts {
				if err := b.add(ctx, org, f.author, f.at, f.bot); err != nil {
					return err
				}
			}
			if err := b.flush(ctx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_first_days WHERE org = $1`, org); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_first_days (org, day, first_timers)
				SELECT org, first_opened - first_opened % 86400, COUNT(*) FROM dashboard_first_pull_requests WHERE org = $1 AND NOT bot
				GROUP BY org, first_opened - first_opened % 86400 ON CONFLICT (org, day) DO UPDATE SET first_timers = excluded.first_timers`, org)
			return err
		})
	}
	var days []int64
	for _, a := range authors {
		var n, bot int
		var first int64
		if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(CASE WHEN author_bot THEN 1 ELSE 0 END), 0),
			COALESCE(MIN(opened_at), 0) FROM pull_request_facts WHERE org = $1 AND author = $2`, org, a).Scan(&n, &bot, &first); err != nil {
			return fmt.Errorf("read the first pull request of %s in %s: %w", a, org, err)
		}
		var old int64
		err := s.DB.QueryRowContext(ctx, `SELECT first_opened FROM dashboard_first_pull_requests WHERE org = $1 AND author = $2`, org, a).Scan(&old)
		if err == nil {
			days = append(days, old-old%day)
		} else if !IsNotFound(err) {
			return fmt.Errorf("read the first pull request of %s in %s: %w", a, org, err)
		}
		if n == 0 {
			_, err = s.DB.ExecContext(ctx, `DELETE FROM dashboard_first_pull_requests WHERE org = $1 AND author = $2`, org, a)
		} else {
			_, err = s.DB.ExecContext(ctx, `INSERT INTO dashboard_first_pull_requests (org, author, first_opened, bot) VALUES ($1, $2, $3, $4)
				ON CONFLICT (org, author) DO UPDATE SET first_opened = excluded.first_opened, bot = excluded.bot`,
				org, a, first, kpi.IsBot(a, bot == 1))
		}
		if err != nil {
			return fmt.Errorf("write the first pull request of %s in %s: %w", a, org, err)
		}
		if n > 0 {
			days = append(days, first-first%day)
		}
	}
	slices.Sort(days)
	for _, d := range slices.Compact(days) {
		err := s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_first_days WHERE org = $1 AND day = $2`, org, d); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_first_days (org, day, first_timers)
				SELECT org, $2, COUNT(*) FROM dashboard_first_pull_requests
				WHERE org = $1 AND first_opened >= $2 AND first_opened < $3 AND NOT bot GROUP BY org
				ON CONFLICT (org, day) DO UPDATE SET first_timers = excluded.first_timers`, org, d, d+day)
			return err
		})
		if err != nil {
			return fmt.Errorf("write the first-time contributors of %s: %w", org, err)
		}
	}
	return nil
}

// refreshAbsence keeps the absence factors of every until a page asked
// for up to date, and those of the default period's (the day after now's)
// and of periods ending with the last month (the current month's first
// day): the repositories of repos, or all of them when all or when an
// until was never computed. Untils nobody asked for in absenceKeep are
// dropped.
func (s *Store) refreshAbsence(ctx context.Context, org string, repos []string, all bool, now time.Time) error {
	y, m, _ := now.UTC().Date()
	for _, until := range []int64{now.Unix() - now.Unix()%day + day, time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix()} {
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO dashboard_absence_untils (org, until_at, wanted_at) VALUES ($1, $2, $3)
			ON CONFLICT (org, until_at) DO UPDATE SET wanted_at = excluded.wanted_at`, org, until, now.Unix()); err != nil {
			return fmt.Errorf("want the absence factors of %s: %w", org, err)
		}
	}
	old := now.Add(-absenceKeep).Unix()
	err := s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_absence WHERE org = $1 AND until_at IN (
			SELECT until_at FROM dashboard_absence_untils WHERE org = $1 AND wanted_at < $2)`, org, old); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM dashboard_absence_untils WHERE org = $1 AND wanted_at < $2`, org, old)
		return err
	})
	if err != nil {
		return fmt.Errorf("drop old absence factors of %s: %w", org, err)
	}
	type until struct{ at, computed int64 }
	var untils []until
	rows, err := s.DB.QueryContext(ctx, `SELECT until_at, computed_at FROM dashboard_absence_untils WHERE org = $1`, org)
	if err != nil {
		return fmt.Errorf("read the absence factors' untils of %s: %w", org, err)
	}
	for rows.Next() {
		var u until
		if err := rows.Scan(&u.at, &u.computed); err != nil {
			rows.Close()
			return err
		}
		untils = append(untils, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range untils {
		to := time.Unix(u.at, 0).UTC()
		from := to.Add(-kpi.AbsenceWindow)
		var factors []kpi.RepositoryFactor
		var only []string
		if all || u.computed == 0 {
			counts, err := s.OrgMergedCounts(ctx, org, from, to)
			if err != nil {
				return err
			}
			factors = kpi.AbsenceFactors(mergedCounts(counts))
		} else {
			only = repos
			for _, r := range repos {
				counts, err := s.repositoryMergedCounts(ctx, org, r, from, to)
				if err != nil {
					return err
				}
				factors = append(factors, kpi.AbsenceFactors(mergedCounts(counts))...)
			}
		}
		err := s.contributorsTx(ctx, org, func(tx *sql.Tx) error {
			if only == nil && (all || u.computed == 0) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_absence WHERE org = $1 AND until_at = $2`, org, u.at); err != nil {
					return err
				}
			}
			for _, r := range only {
				if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_absence WHERE org = $1 AND until_at = $2 AND repository = $3`,
					org, u.at, r); err != nil {
					return err
				}
			}
			b := batch{tx: tx, head: `INSERT INTO dashboard_absence (org, until_at, repository, factor, contributors, merged) VALUES `,
				tail: ` ON CONFLICT (org, until_at, repository) DO UPDATE SET factor = excluded.factor, contributors = excluded.contributors, merged = excluded.merged`}
			for _, f := range factors {
				if err := b.add(ctx, org, u.at, f.Repository, f.Factor, f.Contributors, f.Merged); err != nil {
					return err
				}
			}
			if err := b.flush(ctx); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE dashboard_absence_untils SET computed_at = $3,
				repositories = (SELECT COUNT(*) FROM dashboard_absence WHERE org = $1 AND until_at = $2) WHERE org = $1 AND until_at = $2`,
				org, u.at, now.Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("write the absence factors of %s until %s: %w", org, to.Format(time.DateOnly), err)
		}
	}
	return nil
}

func mergedCounts(rows []MergedCountRow) []kpi.AuthorCount {
	out := make([]kpi.AuthorCount, len(rows))
	for i, c := range rows {
		out[i] = kpi.AuthorCount(c)
	}
	return out
}

// repositoryMergedCounts is OrgMergedCounts of one repository. It reads
// the repository's rows by the primary key and keeps the merges of the
// window itself: a condition on closed_at would lead the planner to the
// org's index of closes (a quarter of a million rows a window) instead.
func (s *Store) repositoryMergedCounts(ctx context.Context, org, repo string, since, until time.Time) ([]MergedCountRow, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT org, author, author_bot, closed_at, merged FROM pull_request_facts WHERE repository = $1`, repo)
	if err != nil {
		return nil, fmt.Errorf("count merged pull requests of %s: %w", repo, err)
	}
	defer rows.Close()
	from, to := since.Unix(), until.Unix()
	by := map[string]*MergedCountRow{}
	var out []MergedCountRow
	for rows.Next() {
		var o, author string
		var bot, merged bool
		var closed int64
		if err := rows.Scan(&o, &author, &bot, &closed, &merged); err != nil {
			return nil, err
		}
		if o != org || !merged || closed < from || closed >= to {
			continue
		}
		c := by[author]
		if c == nil {
			c = &MergedCountRow{Repository: repo, Author: author}
			by[author] = c
		}
		c.Bot = c.Bot || bot
		c.Merged++
	}
	for _, c := range by {
		out = append(out, *c)
	}
	return out, rows.Err()
}

// batch writes rows in multi-row INSERTs of batchRows rows.
type batch struct {
	tx   *sql.Tx
	head string
	tail string // after the VALUES: the ON CONFLICT clause
	rows int
	args []any
	cols int
}

const batchRows = 400

func (b *batch) add(ctx context.Context, values ...any) error {
	b.cols = len(values)
	b.args = append(b.args, values...)
	b.rows++
	if b.rows == batchRows {
		return b.flush(ctx)
	}
	return nil
}

func (b *batch) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(b.head)
	for i := range b.rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range b.cols {
			if j > 0 {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "$%d", i*b.cols+j+1)
		}
		q.WriteByte(')')
	}
	q.WriteString(b.tail)
	_, err := b.tx.ExecContext(ctx, q.String(), b.args...)
	b.rows, b.args = 0, b.args[:0]
	return err
}

// ContributorsAsOf returns when org's contributor rollups were last
// brought up to date; ok is false when never.
func (s *Store) ContributorsAsOf(ctx context.Context, org string) (at time.Time, ok bool, err error) {
	var t int64
	err = s.DB.QueryRowContext(ctx, `SELECT refreshed_at FROM dashboard_contributors_state WHERE org = $1`, org).Scan(&t)
	if IsNotFound(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read the contributors' rollup state of %s: %w", org, err)
	}
	return time.Unix(t, 0).UTC(), true, nil
}

// ContributorDay is the pull requests opened on a UTC day: by members and
// by external authors (kpi.IsMember), and by bots (kpi.IsBot), apart.
type ContributorDay struct {
	Day                      time.Time
	Members, Externals, Bots int
}

// ContributorDays returns the days of [since, until) on which org's pull
// requests were opened, from the rollup, oldest first.
func (s *Store) ContributorDays(ctx context.Context, org string, since, until time.Time) ([]ContributorDay, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT day, members, externals, bots FROM dashboard_contributor_days
		WHERE org = $1 AND day >= $2 AND day < $3 ORDER BY day`, org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read the contributions by day of %s: %w", org, err)
	}
	defer rows.Close()
	var out []ContributorDay
	for rows.Next() {
		var d ContributorDay
		var at int64
		if err := rows.Scan(&at, &d.Members, &d.Externals, &d.Bots); err != nil {
			return nil, err
		}
		d.Day = time.Unix(at, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// FirstTimeContributorDays counts, per UTC day of [since, until), the
// authors (bots apart) whose first pull request in org was opened that
// day, from the rollup, oldest first.
func (s *Store) FirstTimeContributorDays(ctx context.Context, org string, since, until time.Time) (map[time.Time]int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT day, first_timers FROM dashboard_first_days WHERE org = $1 AND day >= $2 AND day < $3`,
		org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read the first-time contributors of %s: %w", org, err)
	}
	defer rows.Close()
	out := map[time.Time]int{}
	for rows.Next() {
		var at int64
		var n int
		if err := rows.Scan(&at, &n); err != nil {
			return nil, err
		}
		out[time.Unix(at, 0).UTC()] = n
	}
	return out, rows.Err()
}

// AbsenceSorts are the columns AbsenceFactors sorts by.
var AbsenceSorts = map[string]string{"repository": "repository", "factor": "factor", "contributors": "contributors", "merged": "merged"}

// AbsenceFactors returns one page (offset, limit) of org's absence
// factors over kpi.AbsenceWindow before until, sorted by sort (a key of
// AbsenceSorts) then repository (desc reverses both), and their total. ok is false when they
// were never computed for until: the until is then asked for (the next
// refresh computes it) and the caller computes them itself.
func (s *Store) AbsenceFactors(ctx context.Context, org string, until time.Time, sort string, desc bool, offset, limit int,
	now time.Time) (page []kpi.RepositoryFactor, total int, ok bool, err error) {
	col, known := AbsenceSorts[sort]
	if !known {
		return nil, 0, false, fmt.Errorf("absence factors: no sort %q", sort)
	}
	var computed, wanted int64
	err = s.DB.QueryRowContext(ctx, `SELECT computed_at, wanted_at, repositories FROM dashboard_absence_untils WHERE org = $1 AND until_at = $2`,
		org, until.Unix()).Scan(&computed, &wanted, &total)
	if err != nil && !IsNotFound(err) {
		return nil, 0, false, fmt.Errorf("read the absence factors' untils of %s: %w", org, err)
	}
	if IsNotFound(err) || computed == 0 || wanted < now.Add(-absenceKeep/7).Unix() {
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO dashboard_absence_untils (org, until_at, wanted_at) VALUES ($1, $2, $3)
			ON CONFLICT (org, until_at) DO UPDATE SET wanted_at = excluded.wanted_at`, org, until.Unix(), now.Unix()); err != nil {
			return nil, 0, false, fmt.Errorf("want the absence factors of %s: %w", org, err)
		}
	}
	if computed == 0 {
		return nil, 0, false, nil
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	order := col + " " + dir
	if col != "repository" {
		order += ", repository " + dir // descending is the exact reverse, read backwards from an index
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT repository, factor, contributors, merged FROM dashboard_absence
		WHERE org = $1 AND until_at = $2 ORDER BY `+order+` LIMIT $3 OFFSET $4`, org, until.Unix(), limit, offset)
	if err != nil {
		return nil, 0, false, fmt.Errorf("read the absence factors of %s: %w", org, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f kpi.RepositoryFactor
		if err := rows.Scan(&f.Repository, &f.Factor, &f.Contributors, &f.Merged); err != nil {
			return nil, 0, false, err
		}
		page = append(page, f)
	}
	return page, total, true, rows.Err()
}

// CLADay is a day of org's CLA signers: new signers (whose first
// signature it was) and the change of the signers in force over it.
type CLADay struct {
	Day                 time.Time
	NewSigners, InForce int
}

// CLADays returns the signers in force at since, and the days of [since,
// until) on which signers came or went, oldest first; any is false when
// org has no signature before until at all.
func (s *Store) CLADays(ctx context.Context, org string, since, until time.Time) (inForce int, days []CLADay, any bool, err error) {
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(in_force), 0) FROM dashboard_cla_days WHERE org = $1 AND day < $2`,
		org, since.Unix()).Scan(&n, &inForce); err != nil {
		return 0, nil, false, fmt.Errorf("read the CLA signers of %s: %w", org, err)
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT day, new_signers, in_force FROM dashboard_cla_days
		WHERE org = $1 AND day >= $2 AND day < $3 ORDER BY day`, org, since.Unix(), until.Unix())
	if err != nil {
		return 0, nil, false, fmt.Errorf("read the CLA signers of %s: %w", org, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d CLADay
		var at int64
		if err := rows.Scan(&at, &d.NewSigners, &d.InForce); err != nil {
			return 0, nil, false, err
		}
		d.Day = time.Unix(at, 0).UTC()
		days = append(days, d)
	}
	return inForce, days, n+len(days) > 0, rows.Err()
}

// CLABlocked returns how many pull requests of org, bots apart, the CLA
// began to block in [since, until), and how long each of those it ceased
// to block before until waited.
func (s *Store) CLABlocked(ctx context.Context, org string, since, until time.Time) (blocked int, took []time.Duration, err error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT day, blocked, unblocks FROM dashboard_cla_blocked_days WHERE org = $1 AND day >= $2 AND day < $3`,
		org, since.Unix(), until.Unix())
	if err != nil {
		return 0, nil, fmt.Errorf("read the pull requests blocked by the CLA of %s: %w", org, err)
	}
	defer rows.Close()
	end := until.Unix()
	var enc []byte
	for rows.Next() {
		var n int
		var d int64
		if err := rows.Scan(&d, &n, &enc); err != nil {
			return 0, nil, err
		}
		blocked += n
		if took == nil {
			took = make([]time.Duration, 0, n*int(until.Sub(since)/(24*time.Hour)))
		}
		for len(enc) > 0 {
			t, k := binary.Varint(enc)
			if k <= 0 {
				return 0, nil, fmt.Errorf("the CLA unblocks of %s on %s: not varints", org, time.Unix(d, 0).UTC().Format(time.DateOnly))
			}
			at, l := binary.Varint(enc[k:])
			if l <= 0 {
				return 0, nil, fmt.Errorf("the CLA unblocks of %s on %s: not varints", org, time.Unix(d, 0).UTC().Format(time.DateOnly))
			}
			enc = enc[k+l:]
			if d+at < end {
				took = append(took, time.Duration(t)*time.Second)
			}
		}
	}
	return blocked, took, rows.Err()
}

// contributorsLockSpace is the first key of the Postgres advisory locks
// that serialise the writes of one org's contributor rollups (the second
// is a hash of the org).
const contributorsLockSpace = 0x6f73706f // "ospo"

// contributorsTx runs fn in a transaction that, on Postgres, first takes
// the org's contributor-rollup lock: refreshes on several replicas write
// overlapping rows in different orders, and without it they deadlock.
// SQLite has one writer already.
func (s *Store) contributorsTx(ctx context.Context, org string, fn func(*sql.Tx) error) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if s.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, contributorsLockSpace, org); err != nil {
				return fmt.Errorf("lock the contributors' rollups of %s: %w", org, err)
			}
		}
		return fn(tx)
	})
}
