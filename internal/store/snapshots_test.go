package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestSnapshotsKeepTextsOnceAndForgetThem(t *testing.T) {
	ctx := context.Background()
	mit, apache := []byte("MIT License\n..."), []byte("Apache License 2.0\n...")
	snap := func(id int64, repo string, at time.Time, texts ...[]byte) store.RepositorySnapshot {
		r := store.RepositorySnapshot{RepositoryID: id, InstallationID: 7, Org: strings.Split(repo, "/")[0], Repository: repo, CheckedAt: at,
			Data: []byte(`{"repo":"` + repo + `"}`), Blobs: map[string][]byte{}}
		for _, t := range texts {
			r.Blobs[store.BlobHash(t)] = t
		}
		return r
	}
	t0 := time.Unix(1_700_000_000, 0)
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			blobs := func() int {
				var n int
				if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM snapshot_blobs`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			list := func(org string) []store.RepositorySnapshot {
				var out []store.RepositorySnapshot
				if err := s.Snapshots(ctx, org, func(r store.RepositorySnapshot) error { out = append(out, r); return nil }); err != nil {
					t.Fatal(err)
				}
				return out
			}
			for _, r := range []store.RepositorySnapshot{
				snap(2, "acme/b", t0, mit), snap(1, "acme/a", t0, mit, apache), snap(1, "acme/a", t0, mit, apache), // a retry
				snap(3, "other/c", t0, mit),
			} {
				if err := s.SaveSnapshot(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if n := blobs(); n != 2 {
				t.Fatalf("%d texts stored, want 2 (each once)", n)
			}
			got := list("acme")
			if len(got) != 2 || got[0].Repository != "acme/a" || string(got[0].Data) != `{"repo":"acme/a"}` || !got[0].CheckedAt.Equal(t0) || got[1].RepositoryID != 2 {
				t.Fatalf("snapshots of acme: %+v", got)
			}
			if all := list(""); len(all) != 3 {
				t.Fatalf("every snapshot: %d", len(all))
			}
			texts, err := s.SnapshotBlobs(ctx, "acme")
			if err != nil || len(texts) != 2 || string(texts[store.BlobHash(apache)]) != string(apache) {
				t.Fatalf("texts of acme: %q, %v", texts, err)
			}

			// An older check's retry does not replace a later snapshot.
			older := snap(1, "acme/a", t0.Add(-time.Hour))
			older.Data = []byte(`{"old":true}`)
			if err := s.SaveSnapshot(ctx, older); err != nil {
				t.Fatal(err)
			}
			if got := list("acme"); string(got[0].Data) != `{"repo":"acme/a"}` {
				t.Fatalf("an older snapshot replaced a later one: %s", got[0].Data)
			}
			// A later one drops the Apache text: no snapshot uses it now.
			if err := s.SaveSnapshot(ctx, snap(1, "acme/a", t0.Add(time.Hour), mit)); err != nil {
				t.Fatal(err)
			}
			if n := blobs(); n != 1 {
				t.Fatalf("%d texts stored, want 1", n)
			}

			// A repository gone: its snapshot goes; the MIT text stays while another uses it.
			if err := s.DeleteRepositories(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
			if got := list("acme"); len(got) != 0 {
				t.Fatalf("forgotten snapshots still listed: %+v", got)
			}
			if n := blobs(); n != 1 {
				t.Fatalf("%d texts stored, want 1 (other/c uses it)", n)
			}
			if err := s.DeleteInstallationRepositories(ctx, 7); err != nil {
				t.Fatal(err)
			}
			if n := blobs(); n != 0 || len(list("")) != 0 {
				t.Fatalf("after the installation went: %d texts, %d snapshots", n, len(list("")))
			}

			bad := snap(4, "acme/d", t0, mit)
			bad.Blobs["0000"] = mit
			if err := s.SaveSnapshot(ctx, bad); err == nil {
				t.Fatal("a text under a hash not its own was kept")
			}
		})
	}
}
