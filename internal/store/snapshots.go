package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// RepositorySnapshot is the last snapshot of a repository as the policy
// plan keeps it: the snapshot's JSON, in which each file text is replaced
// by its BlobHash, and the texts by hash. The store compresses both and
// keeps each text once, however many repositories share it.
type RepositorySnapshot struct {
	RepositoryID, InstallationID int64
	Org, Repository              string
	Data                         []byte
	// Blobs are the texts Data refers to, by hash (SaveSnapshot writes
	// them; Snapshots leaves them out: SnapshotBlobs reads them once for
	// the org).
	Blobs     map[string][]byte
	CheckedAt time.Time
}

// BlobHash names a text in RepositorySnapshot.Blobs: its hex SHA-256.
func BlobHash(text []byte) string {
	h := sha256.Sum256(text)
	return hex.EncodeToString(h[:])
}

// SaveSnapshot keeps a repository's snapshot in place of the one before,
// unless the one stored was taken later (a retry of an older check). The
// texts no snapshot uses any more are deleted.
func (s *Store) SaveSnapshot(ctx context.Context, r RepositorySnapshot) error {
	hashes := make([]string, 0, len(r.Blobs))
	for h, text := range r.Blobs {
		if BlobHash(text) != h {
			return fmt.Errorf("snapshot of %s: a text's hash is not its SHA-256", r.Repository)
		}
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	packed := Pack(r.Data)
	packedBlobs := make(map[string][]byte, len(r.Blobs))
	for h, text := range r.Blobs {
		packedBlobs[h] = Pack(text)
	}
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO repository_snapshots (repository_id, installation_id, org, repository, snapshot, checked_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (repository_id) DO UPDATE SET installation_id = excluded.installation_id, org = excluded.org,
				repository = excluded.repository, snapshot = excluded.snapshot, checked_at = excluded.checked_at
			WHERE repository_snapshots.checked_at <= excluded.checked_at`,
			r.RepositoryID, r.InstallationID, r.Org, r.Repository, []byte(packed), r.CheckedAt.Unix())
		if n, err := rowsAffected(res, err); err != nil || n == 0 {
			return err // n == 0: a later snapshot is kept
		}
		old, err := blobRefs(ctx, tx, r.RepositoryID)
		if err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot_blobs (hash, content) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`,
				h, packedBlobs[h]); err != nil {
				return err
			}
			if !slices.Contains(old, h) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot_blob_refs (repository_id, hash) VALUES ($1, $2)`, r.RepositoryID, h); err != nil {
					return err
				}
			}
		}
		var gone []string
		for _, h := range old {
			if !slices.Contains(hashes, h) {
				gone = append(gone, h)
				if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot_blob_refs WHERE repository_id = $1 AND hash = $2`, r.RepositoryID, h); err != nil {
					return err
				}
			}
		}
		return deleteUnused(ctx, tx, gone)
	})
	if err != nil {
		return fmt.Errorf("keep the snapshot of %s: %w", r.Repository, err)
	}
	return nil
}

// ForgetSnapshots deletes the snapshots of repositories GitHub no longer
// has (or the app no longer sees), and the texts only they used.
func (s *Store) ForgetSnapshots(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		err := s.InTx(ctx, func(tx *sql.Tx) error {
			refs, err := blobRefs(ctx, tx, id)
			if err != nil {
				return err
			}
			// snapshot_blob_refs go with it (ON DELETE CASCADE).
			if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot_blob_refs WHERE repository_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM repository_snapshots WHERE repository_id = $1`, id); err != nil {
				return err
			}
			return deleteUnused(ctx, tx, refs)
		})
		if err != nil {
			return fmt.Errorf("forget the snapshot of repository %d: %w", id, err)
		}
	}
	return nil
}

// forgetInstallationSnapshots deletes the snapshots of an installation's
// repositories, and the texts no snapshot uses any more.
func forgetInstallationSnapshots(ctx context.Context, tx *sql.Tx, installationID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot_blob_refs WHERE repository_id IN
		(SELECT repository_id FROM repository_snapshots WHERE installation_id = $1)`, installationID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM repository_snapshots WHERE installation_id = $1`, installationID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM snapshot_blobs WHERE NOT EXISTS
		(SELECT 1 FROM snapshot_blob_refs r WHERE r.hash = snapshot_blobs.hash)`)
	return err
}

func blobRefs(ctx context.Context, tx *sql.Tx, repositoryID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT hash FROM snapshot_blob_refs WHERE repository_id = $1`, repositoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// deleteUnused deletes the texts among hashes that no snapshot uses.
func deleteUnused(ctx context.Context, tx *sql.Tx, hashes []string) error {
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot_blobs WHERE hash = $1 AND NOT EXISTS
			(SELECT 1 FROM snapshot_blob_refs WHERE hash = $1)`, h); err != nil {
			return err
		}
	}
	return nil
}

// Snapshots calls fn with the stored snapshot of every repository of org
// ("" every org), in order of name, one at a time (Blobs nil: see
// SnapshotBlobs), so that an org of any size is read in little memory.
func (s *Store) Snapshots(ctx context.Context, org string, fn func(RepositorySnapshot) error) error {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT repository_id, installation_id, org, repository, snapshot, checked_at FROM repository_snapshots
		WHERE org = $1 OR $1 = '' ORDER BY repository, repository_id`, org)
	if err != nil {
		return fmt.Errorf("read the snapshots of %q: %w", org, err)
	}
	defer rows.Close()
	var packed []byte
	for rows.Next() {
		var r RepositorySnapshot
		var at int64
		if err := rows.Scan(&r.RepositoryID, &r.InstallationID, &r.Org, &r.Repository, &packed, &at); err != nil {
			return err
		}
		if r.Data, err = Packed(packed).Unpack(); err != nil {
			return fmt.Errorf("snapshot of %s: %w", r.Repository, err)
		}
		r.CheckedAt = time.Unix(at, 0).UTC()
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SnapshotBlobs reads the texts the snapshots of org ("" every org) use,
// by hash.
func (s *Store) SnapshotBlobs(ctx context.Context, org string) (map[string][]byte, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT b.hash, b.content FROM snapshot_blobs b WHERE b.hash IN (SELECT r.hash FROM snapshot_blob_refs r
			JOIN repository_snapshots s ON s.repository_id = r.repository_id WHERE s.org = $1 OR $1 = '')`, org)
	if err != nil {
		return nil, fmt.Errorf("read the texts of the snapshots of %q: %w", org, err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var h string
		var packed []byte
		if err := rows.Scan(&h, &packed); err != nil {
			return nil, err
		}
		if out[h], err = Packed(packed).Unpack(); err != nil {
			return nil, fmt.Errorf("text %s: %w", h, err)
		}
	}
	return out, rows.Err()
}

// SnapshotOrgs lists the orgs that have stored snapshots.
func (s *Store) SnapshotOrgs(ctx context.Context) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT DISTINCT org FROM repository_snapshots ORDER BY org`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SnapshotReviewDecisions reads the review decisions of the repositories
// of org ("" every org) that have a stored snapshot, by repository, in
// the order ReviewDecisions gives them: one query for the whole org.
func (s *Store) SnapshotReviewDecisions(ctx context.Context, org string) (map[int64][]ReviewDecision, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT `+decisionColumns("d.")+`
		FROM review_decisions d JOIN repository_snapshots s ON s.repository_id = d.repository_id
		WHERE s.org = $1 OR $1 = '' ORDER BY d.repository_id, d.at, d.comment_id, d.seq`, org)
	if err != nil {
		return nil, fmt.Errorf("read the review decisions of %q: %w", org, err)
	}
	return decisionsByRepository(rows)
}
