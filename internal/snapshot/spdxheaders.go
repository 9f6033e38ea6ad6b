package snapshot

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// maxHeadBytes bounds what is kept of a file's first lines (a minified
// file's first line can be a megabyte).
const maxHeadBytes = 64 << 10

// maxREUSEBytes bounds what is read of a REUSE file.
const maxREUSEBytes = 1 << 20

// SPDXHeads gathers what the spdx-headers rule reads (rules.SPDXFiles):
// nothing, and no request, when the pull request adds or modifies no
// file the rule judges. Else:
//
//   - the repository's tree at the head, GET /git/trees/{head}?recursive=1
//     (1 request): which judged files are symlinks, submodules or empty
//     (REUSE does not cover them), and which REUSE files exist: the
//     REUSE.toml files above the judged files, .reuse/dep5 and each
//     judged file's .license file;
//   - each judged file's first rules.HeadLines lines: from the file
//     list's patch when it shows them (an added file's patch is the whole
//     file), else GET /contents/{path}?ref={head} with the raw media type
//     (1 request a file; up to 100 MB, where the JSON form stops at 1 MB);
//   - the text of the REUSE files that exist (1 request each).
//
// When the tree is too large for GitHub to list whole, the REUSE.toml
// of the root, .reuse/dep5 and the .license files of the files without a
// header are asked for directly (404: absent), and REUSE.toml files below
// the root are not looked for (REUSE.Partial).
func SPDXHeads(ctx context.Context, client *github.Client, snap *rules.PullRequest, r policy.SPDXHeadersRule) error {
	files := rules.SPDXFiles(snap, r)
	snap.Heads, snap.NoHead = map[string]string{}, map[string]rules.NoHead{}
	snap.REUSE = &rules.REUSE{Files: map[string]string{}}
	if len(files) == 0 {
		return nil
	}
	g := headGatherer{ctx: ctx, client: client, snap: snap}
	tree, err := g.tree()
	if err != nil {
		return err
	}
	for _, f := range files {
		if e, ok := tree[f]; ok {
			switch {
			case e.GetMode() == "120000":
				snap.NoHead[f] = rules.NoHead{Kind: rules.HeadSymlink}
				continue
			case e.GetType() == "commit":
				snap.NoHead[f] = rules.NoHead{Kind: rules.HeadSubmodule}
				continue
			case e.GetType() == "blob" && e.Size != nil && e.GetSize() == 0:
				snap.NoHead[f] = rules.NoHead{Kind: rules.HeadEmpty}
				continue
			}
		}
		if text, ok := HeadFromPatch(snap.Status[f], snap.Patches[f]); ok {
			snap.Heads[f] = text
			continue
		}
		if err := g.head(f); err != nil {
			return err
		}
	}
	// The REUSE files.
	var want []string
	if tree != nil {
		for p := range tree {
			if path.Base(p) == "REUSE.toml" && coversAny(path.Dir(p), files) {
				want = append(want, p)
			}
		}
		if _, ok := tree[".reuse/dep5"]; ok {
			want = append(want, ".reuse/dep5")
		}
		for _, f := range files {
			if _, ok := tree[f+".license"]; ok {
				want = append(want, f+".license")
			}
		}
	} else {
		snap.REUSE.Partial = true
		want = append(want, "REUSE.toml", ".reuse/dep5")
		for _, f := range files {
			if _, headed := snap.Heads[f]; !headed || !strings.Contains(snap.Heads[f], "SPDX-License-Identifier:") {
				want = append(want, f+".license")
			}
		}
	}
	for _, p := range want {
		if err := g.reuseFile(p, tree == nil); err != nil {
			return err
		}
	}
	zerolog.Ctx(ctx).Debug().Int("judged", len(files)).Int("heads_from_patches", g.fromPatches(files)).
		Int("requests", g.requests).Msg("gathered the files' SPDX headers")
	return nil
}

// coversAny: dir ("." the root) holds one of files, at any depth.
func coversAny(dir string, files []string) bool {
	for _, f := range files {
		if dir == "." || strings.HasPrefix(f, dir+"/") {
			return true
		}
	}
	return false
}

type headGatherer struct {
	ctx      context.Context
	client   *github.Client
	snap     *rules.PullRequest
	requests int
}

func (g *headGatherer) fromPatches(files []string) int {
	n := 0
	for _, f := range files {
		if _, ok := HeadFromPatch(g.snap.Status[f], g.snap.Patches[f]); ok {
			n++
		}
	}
	return n
}

// tree lists the repository's tree at the head, by path; nil when GitHub
// cut it short (past 100,000 entries or 7 MB).
func (g *headGatherer) tree() (map[string]*github.TreeEntry, error) {
	g.requests++
	t, _, err := g.client.Git.GetTree(g.ctx, g.snap.Owner, g.snap.Name, g.snap.HeadSHA, true)
	if err != nil {
		if ghclient.Permanent(err) {
			zerolog.Ctx(g.ctx).Warn().Err(err).Msg("cannot list the tree at the pull request's head; asking for the REUSE files directly")
			return nil, nil
		}
		return nil, fmt.Errorf("list the tree of %s/%s at %s: %w", g.snap.Owner, g.snap.Name, g.snap.HeadSHA, err)
	}
	if t.GetTruncated() {
		return nil, nil
	}
	out := make(map[string]*github.TreeEntry, len(t.Entries))
	for _, e := range t.Entries {
		out[e.GetPath()] = e
	}
	return out, nil
}

// HeadFromPatch returns a file's first rules.HeadLines lines from the
// unified diff GitHub listed for it, when the diff shows them: its first
// hunk starts at the file's first line, and either shows the whole file
// (an added file) or at least HeadLines lines of it.
func HeadFromPatch(status, patch string) (string, bool) {
	if patch == "" || !strings.HasPrefix(patch, "@@ ") {
		return "", false
	}
	header, body, _ := strings.Cut(patch, "\n")
	start, ok := newStart(header)
	if !ok || start > 1 {
		return "", false
	}
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "@@ ") || len(lines) == rules.HeadLines {
			break
		}
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, " ") {
			lines = append(lines, l[1:])
		}
	}
	if status != "added" && len(lines) < rules.HeadLines {
		return "", false
	}
	return strings.Join(lines, "\n") + "\n", true
}

// newStart reads the new file's first line from "@@ -a,b +c,d @@".
func newStart(header string) (int, bool) {
	_, rest, ok := strings.Cut(header, " +")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, ",")
	num, _, _ = strings.Cut(num, " ")
	n, err := strconv.Atoi(num)
	return n, err == nil
}

// rawContent asks for a file at the head with the raw media type. found
// is false on a 404; a permanent refusal is returned as why.
func (g *headGatherer) rawContent(p string) (resp *http.Response, why string, err error) {
	u := "repos/" + url.PathEscape(g.snap.Owner) + "/" + url.PathEscape(g.snap.Name) + "/contents/" +
		(&url.URL{Path: p}).EscapedPath() + "?ref=" + url.QueryEscape(g.snap.HeadSHA)
	req, err := g.client.NewRequest("GET", u, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/vnd.github.raw")
	g.requests++
	r, err := g.client.BareDo(g.ctx, req)
	if err != nil {
		switch status := httpStatus(err); {
		case status == http.StatusNotFound:
			return nil, "not found", nil
		case status == http.StatusForbidden && strings.Contains(err.Error(), "too_large"):
			return nil, "larger than the 100 MB GitHub serves", nil
		case ghclient.Permanent(err):
			return nil, fmt.Sprintf("GitHub answered %d", status), nil
		}
		return nil, "", fmt.Errorf("read %s of %s/%s at %s: %w", p, g.snap.Owner, g.snap.Name, g.snap.HeadSHA, err)
	}
	return r.Response, "", nil
}

// head reads a file's first lines through the contents API, stopping
// after HeadLines lines.
func (g *headGatherer) head(f string) error {
	resp, why, err := g.rawContent(f)
	if err != nil {
		return err
	}
	if resp == nil {
		g.snap.NoHead[f] = rules.NoHead{Kind: rules.HeadUnread, Why: why}
		return nil
	}
	defer resp.Body.Close()
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		// GitHub describes a symlink whose target is not a file, or a
		// submodule, as an object instead of raw content.
		var c github.RepositoryContent
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxHeadBytes)).Decode(&c); err == nil {
			switch c.GetType() {
			case "symlink":
				g.snap.NoHead[f] = rules.NoHead{Kind: rules.HeadSymlink}
				return nil
			case "submodule":
				g.snap.NoHead[f] = rules.NoHead{Kind: rules.HeadSubmodule}
				return nil
			}
		}
		g.snap.NoHead[f] = rules.NoHead{Kind: rules.HeadUnread, Why: "GitHub did not return its content"}
		return nil
	}
	text, err := firstLines(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s of %s/%s: %w", f, g.snap.Owner, g.snap.Name, err)
	}
	switch {
	case text == "":
		g.snap.NoHead[f] = rules.NoHead{Kind: rules.HeadEmpty}
	case strings.ContainsRune(text, 0):
		g.snap.NoHead[f] = rules.NoHead{Kind: rules.HeadBinary}
	default:
		g.snap.Heads[f] = text
	}
	return nil
}

// firstLines reads up to rules.HeadLines lines (and maxHeadBytes).
func firstLines(r io.Reader) (string, error) {
	br := bufio.NewReader(io.LimitReader(r, maxHeadBytes))
	var b bytes.Buffer
	for n := 0; n < rules.HeadLines; n++ {
		line, err := br.ReadBytes('\n')
		b.Write(line)
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// reuseFile reads a REUSE file; probe: a 404 means it is absent.
func (g *headGatherer) reuseFile(p string, probe bool) error {
	resp, why, err := g.rawContent(p)
	if err != nil {
		return err
	}
	if resp == nil {
		if why == "not found" && probe {
			return nil
		}
		g.snap.REUSE.Problems = append(g.snap.REUSE.Problems, rules.UnreadManifest{Path: p, Why: why})
		return nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxREUSEBytes+1))
	if err != nil {
		return fmt.Errorf("read %s of %s/%s: %w", p, g.snap.Owner, g.snap.Name, err)
	}
	if len(data) > maxREUSEBytes {
		g.snap.REUSE.Problems = append(g.snap.REUSE.Problems, rules.UnreadManifest{Path: p, Why: "larger than 1 MB"})
		return nil
	}
	g.snap.REUSE.Files[p] = string(data)
	return nil
}
