package githubfake

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// commit is a commit with a full snapshot of its files.
type commit struct {
	sha       string
	tree      string
	parents   []string
	message   string
	author    Signature
	committer Signature
	files     map[string]string
	seq       int
}

func (c *commit) info() Commit {
	return Commit{SHA: c.sha, TreeSHA: c.tree, Parents: slices.Clone(c.parents),
		Message: c.message, Author: c.author, Committer: c.committer}
}

// tree is a git tree object: the entries of one directory.
type tree struct {
	sha     string
	entries []treeEntry // sorted by name
}

type treeEntry struct {
	name string
	typ  string // blob or tree
	sha  string
	size int
}

func gitHash(kind string, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func blobSHA(content string) string { return gitHash("blob", []byte(content)) }

// storeTree stores the trees and blobs of a file snapshot and returns the
// root tree's SHA.
func (r *repo) storeTree(files map[string]string) string {
	return r.storeDir(files, "")
}

func (r *repo) storeDir(files map[string]string, dir string) string {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	entries := map[string]treeEntry{}
	subdirs := map[string]bool{}
	for p, content := range files {
		if !strings.HasPrefix(p, prefix) {
			continue
		}
		rest := strings.TrimPrefix(p, prefix)
		if name, _, nested := strings.Cut(rest, "/"); nested {
			subdirs[name] = true
		} else {
			sha := blobSHA(content)
			r.blobs[sha] = content
			entries[rest] = treeEntry{name: rest, typ: "blob", sha: sha, size: len(content)}
		}
	}
	for name := range subdirs {
		entries[name] = treeEntry{name: name, typ: "tree", sha: r.storeDir(files, prefix+name)}
	}
	t := &tree{}
	var buf strings.Builder
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		e := entries[name]
		t.entries = append(t.entries, e)
		fmt.Fprintf(&buf, "%s %s %s\n", e.typ, e.sha, e.name)
	}
	t.sha = gitHash("tree", []byte(buf.String()))
	r.trees[t.sha] = t
	return t.sha
}

// addCommit creates a commit on top of parent ("" for a root commit).
func (r *repo) addCommit(parent string, nc NewCommit, now time.Time) *commit {
	files := map[string]string{}
	var parents []string
	if p := r.commits[parent]; p != nil {
		maps.Copy(files, p.files)
		parents = []string{p.sha}
	}
	for from, to := range nc.Rename {
		if content, ok := files[cleanPath(from)]; ok {
			delete(files, cleanPath(from))
			files[cleanPath(to)] = content
		}
	}
	for p, content := range nc.Files {
		files[cleanPath(p)] = content
	}
	for _, p := range nc.Delete {
		delete(files, cleanPath(p))
	}
	if nc.Author.Date.IsZero() {
		nc.Author.Date = now
	}
	if nc.Committer == (Signature{}) {
		nc.Committer = nc.Author
	}
	if nc.Committer.Date.IsZero() {
		nc.Committer.Date = now
	}
	if nc.Message == "" {
		nc.Message = "Update files"
	}
	r.seq++
	c := &commit{
		tree:      r.storeTree(files),
		parents:   parents,
		message:   nc.Message,
		author:    nc.Author,
		committer: nc.Committer,
		files:     files,
		seq:       r.seq,
	}
	raw := fmt.Sprintf("tree %s\nparent %s\nauthor %s <%s> %d\ncommitter %s <%s> %d\nseq %d %d\n\n%s",
		c.tree, strings.Join(parents, " "), c.author.Name, c.author.Email, c.author.Date.Unix(),
		c.committer.Name, c.committer.Email, c.committer.Date.Unix(), r.id, c.seq, c.message)
	c.sha = gitHash("commit", []byte(raw))
	r.commits[c.sha] = c
	r.pushed = now
	return c
}

func cleanPath(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }

// resolve finds the commit a ref names: a branch, "refs/heads/<branch>", a
// full SHA or an unambiguous SHA prefix of at least 7 digits.
func (r *repo) resolve(ref string) *commit {
	ref = strings.TrimPrefix(ref, "refs/heads/")
	if ref == "" || ref == "HEAD" {
		ref = r.defaultBranch
	}
	if sha, ok := r.branches[ref]; ok {
		return r.commits[sha]
	}
	if c := r.commits[strings.ToLower(ref)]; c != nil {
		return c
	}
	if len(ref) < 7 {
		return nil
	}
	var found *commit
	for sha, c := range r.commits {
		if strings.HasPrefix(sha, strings.ToLower(ref)) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}

// ancestors is the set of commits reachable from sha, itself included.
func (r *repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c := r.commits[s]
		if c == nil || seen[s] {
			continue
		}
		seen[s] = true
		stack = append(stack, c.parents...)
	}
	return seen
}

// between lists the commits reachable from head but not from base, oldest
// first, as GitHub's compare and pull request commit lists do.
func (r *repo) between(base, head string) []*commit {
	inBase := r.ancestors(base)
	var out []*commit
	for sha := range r.ancestors(head) {
		if !inBase[sha] {
			out = append(out, r.commits[sha])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// mergeBase is the newest common ancestor of a and b, or nil.
func (r *repo) mergeBase(a, b string) *commit {
	inA := r.ancestors(a)
	var best *commit
	for sha := range r.ancestors(b) {
		if inA[sha] {
			if c := r.commits[sha]; best == nil || c.seq > best.seq {
				best = c
			}
		}
	}
	return best
}

// fileDiff is one changed file between two snapshots.
type fileDiff struct {
	filename  string
	previous  string // the old path of a renamed file
	status    string // added, modified, removed, renamed
	additions int
	deletions int
	sha       string
	patch     string
}

// diff compares two file snapshots, sorted by file name.
func diff(from, to map[string]string) []fileDiff {
	var out []fileDiff
	for _, p := range slices.Sorted(maps.Keys(to)) {
		newContent := to[p]
		oldContent, existed := from[p]
		switch {
		case !existed && isBinary(newContent):
			// GitHub gives no patch (and no line counts) for a binary file.
			out = append(out, fileDiff{filename: p, status: "added", sha: blobSHA(newContent)})
		case !existed:
			add := lines(newContent)
			out = append(out, fileDiff{filename: p, status: "added", additions: len(add),
				sha: blobSHA(newContent), patch: hunk(nil, add)})
		case oldContent != newContent && (isBinary(oldContent) || isBinary(newContent)):
			out = append(out, fileDiff{filename: p, status: "modified", sha: blobSHA(newContent)})
		case oldContent != newContent:
			del, add := lines(oldContent), lines(newContent)
			removed, added := lineChanges(del, add)
			out = append(out, fileDiff{filename: p, status: "modified", additions: added, deletions: removed,
				sha: blobSHA(newContent), patch: hunk(del, add)})
		}
	}
	for _, p := range slices.Sorted(maps.Keys(from)) {
		if _, ok := to[p]; !ok {
			del := lines(from[p])
			out = append(out, fileDiff{filename: p, status: "removed", deletions: len(del),
				sha: "0000000000000000000000000000000000000000", patch: hunk(del, nil)})
		}
	}
	out = detectRenames(from, to, out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].filename < out[j].filename })
	return out
}

// binary: git's test, a NUL byte in the first 8,000 bytes.
func isBinary(s string) bool { return strings.Contains(s[:min(len(s), 8000)], "\x00") }

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// lineChanges counts removed and added lines, matching equal lines as a
// multiset: close enough to git's numbers for tests.
func lineChanges(old, new []string) (removed, added int) {
	count := map[string]int{}
	for _, l := range old {
		count[l]++
	}
	for _, l := range new {
		if count[l] > 0 {
			count[l]--
		} else {
			added++
		}
	}
	for _, n := range count {
		removed += n
	}
	return removed, added
}

// hunk is a single unified-diff hunk replacing old with new.
func hunk(old, new []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -%s +%s @@", hunkRange(len(old)), hunkRange(len(new)))
	for _, l := range old {
		b.WriteString("\n-" + l)
	}
	for _, l := range new {
		b.WriteString("\n+" + l)
	}
	return b.String()
}

func hunkRange(n int) string {
	if n == 0 {
		return "0,0"
	}
	return fmt.Sprintf("1,%d", n)
}
