package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// stored is a repository's snapshot as the store keeps it: every text
// (file contents, the policy files) by its store.BlobHash.
type stored struct {
	Snapshot    rules.Snapshot    `json:"snapshot"` // Contents and OrgContents empty
	Contents    map[string]string `json:"contents,omitempty"`
	OrgContents map[string]string `json:"org_contents,omitempty"`
	Gathered    snapshot.Coverage `json:"gathered"`
	// Org and Override are the policy files the repository was checked
	// under; nil when there was none (or an invalid override, left out:
	// OverrideInvalid).
	Org             *storedFile `json:"org,omitempty"`
	Override        *storedFile `json:"override,omitempty"`
	OverrideInvalid string      `json:"override_invalid,omitempty"`
	PolicyVersion   string      `json:"policy_version"`
}

type storedFile struct {
	File   string        `json:"file"`
	Source policy.Source `json:"source"`
	Text   string        `json:"text"` // hash
}

// Keep is what a repository check keeps for the plan: the snapshot it
// evaluated, what it gathered it for, and the policy it applied.
type Keep struct {
	InstallationID int64
	Snapshot       *rules.Snapshot
	Policy         *policy.Effective
	// OverrideInvalid is the problem of an invalid repository override
	// (the org policy applied without it), or "".
	OverrideInvalid string
	At              time.Time
}

// Record stores k as the repository's last snapshot (store.SaveSnapshot).
func Record(ctx context.Context, st *store.Store, k Keep) error {
	r, err := encode(k)
	if err != nil {
		return err
	}
	return st.SaveSnapshot(ctx, r)
}

func encode(k Keep) (store.RepositorySnapshot, error) {
	s := k.Snapshot
	r := store.RepositorySnapshot{RepositoryID: s.ID, InstallationID: k.InstallationID, Org: s.Owner,
		Repository: s.Owner + "/" + s.Name, Blobs: map[string][]byte{}, CheckedAt: k.At}
	blob := func(text []byte) string {
		h := store.BlobHash(text)
		r.Blobs[h] = text
		return h
	}
	texts := func(m map[string]string) map[string]string {
		if len(m) == 0 {
			return nil
		}
		out := make(map[string]string, len(m))
		for p, t := range m {
			out[p] = blob([]byte(t))
		}
		return out
	}
	out := stored{Snapshot: *s, Contents: texts(s.Contents), OrgContents: texts(s.OrgContents),
		Gathered: snapshot.Gathered(k.Policy.Policy.Repository, s), OverrideInvalid: k.OverrideInvalid, PolicyVersion: k.Policy.Version}
	out.Snapshot.Contents, out.Snapshot.OrgContents = nil, nil
	org, override := k.Policy.Documents()
	file := func(d *policy.Document) *storedFile {
		if d == nil {
			return nil
		}
		return &storedFile{File: d.File, Source: d.Source, Text: blob(d.Text)}
	}
	out.Org, out.Override = file(org), file(override)
	var err error
	r.Data, err = json.Marshal(out)
	return r, err
}

// Repository is a stored snapshot read back, with the policy files it was
// checked under parsed.
type Repository struct {
	ID, InstallationID int64
	Name               string
	Snapshot           *rules.Snapshot
	Gathered           snapshot.Coverage
	Org, Override      *policy.Document
	OverrideInvalid    string
	PolicyVersion      string
	CheckedAt          time.Time
}

// decoder turns stored snapshots back into Repositories, parsing each
// policy text once.
type decoder struct {
	texts map[string][]byte           // read only
	mu    sync.Mutex                  // guards docs
	docs  map[string]*policy.Document // by hash and file
}

func (d *decoder) decode(r store.RepositorySnapshot) (*Repository, error) {
	var s stored
	if err := json.Unmarshal(r.Data, &s); err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", r.Repository, err)
	}
	text := func(h string) (string, error) {
		t, ok := d.texts[h]
		if !ok {
			return "", fmt.Errorf("snapshot of %s: text %s is missing", r.Repository, h)
		}
		return string(t), nil
	}
	contents := func(m map[string]string) (map[string]string, error) {
		out := make(map[string]string, len(m))
		for p, h := range m {
			t, err := text(h)
			if err != nil {
				return nil, err
			}
			out[p] = t
		}
		return out, nil
	}
	snap := s.Snapshot
	var err error
	if snap.Contents, err = contents(s.Contents); err != nil {
		return nil, err
	}
	if len(s.OrgContents) > 0 {
		if snap.OrgContents, err = contents(s.OrgContents); err != nil {
			return nil, err
		}
	}
	out := &Repository{ID: r.RepositoryID, InstallationID: r.InstallationID, Name: r.Repository, Snapshot: &snap,
		Gathered: s.Gathered, OverrideInvalid: s.OverrideInvalid, PolicyVersion: s.PolicyVersion, CheckedAt: r.CheckedAt}
	if out.Org, err = d.document(s.Org, true); err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", r.Repository, err)
	}
	if out.Override, err = d.document(s.Override, false); err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", r.Repository, err)
	}
	return out, nil
}

func (d *decoder) document(f *storedFile, org bool) (*policy.Document, error) {
	if f == nil {
		return nil, nil
	}
	key := f.Text + " " + f.File
	d.mu.Lock()
	defer d.mu.Unlock()
	if doc, ok := d.docs[key]; ok {
		return doc, nil
	}
	t, ok := d.texts[f.Text]
	if !ok {
		return nil, fmt.Errorf("the text of %s is missing", f.File)
	}
	doc, err := policy.ParseDocument(f.File, t, org)
	if err != nil {
		return nil, fmt.Errorf("the stored %s no longer parses: %w", f.File, err)
	}
	doc.Source = f.Source
	d.docs[key] = doc
	return doc, nil
}
