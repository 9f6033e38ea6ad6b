package githubfake

import (
	"encoding/base64"
	"net/http"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/go-github/v66/github"
)

// repoFor finds the repository of the request and checks access: a private
// repository the token does not cover does not exist; writing needs the
// installation, and an archived repository is read-only.
func (f *Fake) repoFor(c *call, write bool) (*repo, *reply) {
	r := f.st.repo(c.param("owner"), c.param("repo"))
	covered := r != nil && c.tok != nil && c.tok.covers(r)
	if r == nil || (!covered && r.private) {
		rep := notFound()
		return nil, &rep
	}
	if write && !covered {
		rep := forbidden("Resource not accessible by integration")
		return nil, &rep
	}
	if write && r.archived {
		rep := forbidden("Repository was archived so is read-only.")
		return nil, &rep
	}
	return r, nil
}

func (f *Fake) listInstallationRepos(c *call) reply {
	var repos []*repo
	for _, r := range f.st.repos {
		if c.tok.covers(r) {
			repos = append(repos, r)
		}
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].id < repos[j].id })
	page := paginate(c, repos)
	out := struct {
		TotalCount          int        `json:"total_count"`
		RepositorySelection string     `json:"repository_selection"`
		Repositories        []*repoOut `json:"repositories"`
	}{TotalCount: len(repos), RepositorySelection: c.tok.inst.selection, Repositories: []*repoOut{}}
	for _, r := range page {
		out.Repositories = append(out.Repositories, f.repoJSON(c, r))
	}
	return ok(out)
}

func (f *Fake) getRepo(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(f.fullRepoJSON(c, r))
}

// updateRepo edits a repository. Unlike other writes it is allowed on an
// archived repository, so that it can be unarchived.
func (f *Fake) updateRepo(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	if !c.tok.covers(r) {
		return forbidden("Resource not accessible by integration")
	}
	var body struct {
		Name          *string `json:"name"`
		Description   *string `json:"description"`
		Private       *bool   `json:"private"`
		Visibility    *string `json:"visibility"`
		Archived      *bool   `json:"archived"`
		DefaultBranch *string `json:"default_branch"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	if r.archived && (body.Archived == nil || *body.Archived) {
		return forbidden("Repository was archived so is read-only.")
	}
	if body.DefaultBranch != nil {
		if _, ok := r.branches[*body.DefaultBranch]; !ok {
			return invalid("Repository", "default_branch", "invalid", "Cannot update default branch for an empty repository. Please init the repository and push first.")
		}
	}
	if body.Visibility != nil {
		switch *body.Visibility {
		case "public", "private":
		case "internal":
			if !r.owner.isOrg() {
				return invalid("Repository", "visibility", "invalid", "Only organization repositories can be internal.")
			}
		default:
			return invalid("Repository", "visibility", "invalid", "")
		}
	}
	if rep := forkVisibilityFixed(r, body.Private, body.Visibility); rep != nil {
		return *rep
	}
	if body.Name != nil && !strings.EqualFold(*body.Name, r.name) {
		if *body.Name == "" || f.st.repo(r.owner.login, *body.Name) != nil {
			return invalid("Repository", "name", "custom", "name already exists on this account")
		}
		delete(f.st.repos, repoKey(r.owner.login, r.name))
		r.name = *body.Name
		f.st.repos[repoKey(r.owner.login, r.name)] = r
	}
	if body.Description != nil {
		r.description = *body.Description
	}
	if body.Private != nil {
		r.private = *body.Private
		r.visibility = map[bool]string{true: "private", false: "public"}[r.private]
	}
	if body.Visibility != nil {
		r.visibility = *body.Visibility
		r.private = r.visibility != "public"
	}
	if body.Archived != nil {
		r.archived = *body.Archived
	}
	if body.DefaultBranch != nil {
		r.defaultBranch = *body.DefaultBranch
	}
	r.updated = f.now()
	return ok(f.repoJSON(c, r))
}

func (f *Fake) getTopics(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	names := slices.Clone(r.topics)
	if names == nil {
		names = []string{}
	}
	return ok(map[string][]string{"names": names})
}

var topicPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`)

func (f *Fake) replaceTopics(c *call) reply {
	r, rep := f.repoFor(c, true)
	if rep != nil {
		return *rep
	}
	var body struct {
		Names []string `json:"names"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	if body.Names == nil {
		return invalid("Repository", "names", "missing_field", "")
	}
	var topics []string
	for _, n := range body.Names {
		n = strings.ToLower(strings.TrimSpace(n))
		if !topicPattern.MatchString(n) {
			return invalidSimple(n + " is not a valid topic. Topics must start with a lowercase letter or number, consist of 50 characters or less, and can include hyphens.")
		}
		if !slices.Contains(topics, n) {
			topics = append(topics, n)
		}
	}
	if len(topics) > 20 {
		return invalidSimple("A repository cannot have more than 20 topics.")
	}
	r.topics = topics
	r.updated = f.now()
	if topics == nil {
		topics = []string{}
	}
	return ok(map[string][]string{"names": topics})
}

// Licenses.

type detectedLicense struct {
	key, name, spdx string
	path, content   string
}

func (l *detectedLicense) license(c *call) *licenseOut {
	lic := &github.License{Key: ptr(l.key), Name: ptr(l.name), SPDXID: ptr(l.spdx)}
	if l.key != "other" {
		lic.URL = ptr(c.base + "/licenses/" + l.key)
	}
	return &licenseOut{License: lic, NodeID: "MDc6TGljZW5zZ" + l.key}
}

var licenseFiles = []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING", "COPYING.md", "LICENSE-MIT", "LICENSE-APACHE"}

// detectLicense finds the license file at the root of ref and recognises a
// few common licenses by their text.
func (r *repo) detectLicense(ref string) *detectedLicense {
	c := r.resolve(ref)
	if c == nil {
		return nil
	}
	for _, name := range licenseFiles {
		for p, content := range c.files {
			if strings.EqualFold(p, name) {
				l := identifyLicense(content)
				l.path, l.content = p, content
				return l
			}
		}
	}
	return nil
}

func identifyLicense(text string) *detectedLicense {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	has := func(s ...string) bool {
		for _, x := range s {
			if !strings.Contains(t, x) {
				return false
			}
		}
		return true
	}
	switch {
	case has("apache license", "version 2.0"):
		return &detectedLicense{key: "apache-2.0", name: "Apache License 2.0", spdx: "Apache-2.0"}
	case has("permission is hereby granted, free of charge"):
		return &detectedLicense{key: "mit", name: "MIT License", spdx: "MIT"}
	case has("redistribution and use in source and binary forms", "neither the name"):
		return &detectedLicense{key: "bsd-3-clause", name: `BSD 3-Clause "New" or "Revised" License`, spdx: "BSD-3-Clause"}
	case has("redistribution and use in source and binary forms"):
		return &detectedLicense{key: "bsd-2-clause", name: `BSD 2-Clause "Simplified" License`, spdx: "BSD-2-Clause"}
	case has("mozilla public license", "2.0"):
		return &detectedLicense{key: "mpl-2.0", name: "Mozilla Public License 2.0", spdx: "MPL-2.0"}
	case has("gnu lesser general public license"):
		return &detectedLicense{key: "lgpl-3.0", name: "GNU Lesser General Public License v3.0", spdx: "LGPL-3.0"}
	case has("gnu general public license", "version 3"):
		return &detectedLicense{key: "gpl-3.0", name: "GNU General Public License v3.0", spdx: "GPL-3.0"}
	case has("gnu general public license", "version 2"):
		return &detectedLicense{key: "gpl-2.0", name: "GNU General Public License v2.0", spdx: "GPL-2.0"}
	case has("this is free and unencumbered software released into the public domain"):
		return &detectedLicense{key: "unlicense", name: "The Unlicense", spdx: "Unlicense"}
	}
	return &detectedLicense{key: "other", name: "Other", spdx: "NOASSERTION"}
}

func (f *Fake) getLicense(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	ref := c.query.Get("ref")
	if r.resolve(ref) == nil {
		return notFound()
	}
	l := r.detectLicense(ref)
	if l == nil {
		return notFound()
	}
	out := struct {
		*contentOut
		License *licenseOut `json:"license"`
	}{f.fileJSON(c, r, r.resolve(ref), l.path, l.content), l.license(c)}
	return ok(out)
}

// Contents.

func encodeContent(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

func (f *Fake) contentURLs(c *call, r *repo, cm *commit, p, typ, sha string) (api, html, git string) {
	ref := cm.sha
	if b, ok := r.branches[c.query.Get("ref")]; ok && b == cm.sha {
		ref = c.query.Get("ref")
	}
	api = c.base + "/repos/" + r.fullName() + "/contents/" + p + "?ref=" + ref
	kind := "blob"
	gitKind := "blobs"
	if typ == "dir" {
		kind, gitKind = "tree", "trees"
	}
	html = f.opts.WebURL + "/" + r.fullName() + "/" + kind + "/" + ref + "/" + p
	git = c.base + "/repos/" + r.fullName() + "/git/" + gitKind + "/" + sha
	return api, html, git
}

func (f *Fake) fileJSON(c *call, r *repo, cm *commit, p, content string) *contentOut {
	sha := blobSHA(content)
	api, html, git := f.contentURLs(c, r, cm, p, "file", sha)
	return wrapContent(&github.RepositoryContent{
		Type: ptr("file"), Encoding: ptr("base64"), Size: ptr(len(content)), Name: ptr(path.Base(p)),
		Path: ptr(p), Content: ptr(encodeContent(content)), SHA: ptr(sha), URL: ptr(api),
		GitURL: ptr(git), HTMLURL: ptr(html),
		DownloadURL: ptr("https://raw.githubusercontent.com/" + r.fullName() + "/" + cm.sha + "/" + p),
	})
}

// Media types and size limits of GET /contents for a file
// (https://docs.github.com/rest/repos/contents#get-repository-content):
// the default JSON object carries files up to 1 MB and answers 403
// too_large past that; the object media type answers past it too, with
// an empty content and encoding "none"; the raw media type returns the
// bytes of files up to 100 MB. Past 100 MB nothing does.
const (
	maxContentJSON = 1 << 20
	maxContentRaw  = 100 << 20
)

func (f *Fake) fileContents(c *call, r *repo, cm *commit, p, content string) reply {
	accept := strings.ToLower(c.req.Header.Get("Accept"))
	tooLarge := func(limit string) reply {
		return jsonReply(http.StatusForbidden, ghError{
			Message: "This API returns blobs up to " + limit + " in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.",
			Errors:  []fieldError{{Resource: "Blob", Field: "data", Code: "too_large"}}, DocumentationURL: docsURL, Status: "403"})
	}
	switch {
	case len(content) > maxContentRaw:
		return tooLarge("100 MB")
	case strings.Contains(accept, "vnd.github.raw") || strings.Contains(accept, "vnd.github.v3.raw"):
		return reply{status: http.StatusOK, raw: []byte(content)}
	case len(content) > maxContentJSON && strings.Contains(accept, "vnd.github.object"):
		out := f.fileJSON(c, r, cm, p, content)
		out.Encoding, out.Content = ptr("none"), ptr("")
		return ok(out)
	case len(content) > maxContentJSON:
		return tooLarge("1 MB")
	}
	return ok(f.fileJSON(c, r, cm, p, content))
}

// lookupTree walks from a root tree to the tree of a directory.
func (r *repo) lookupTree(root, dir string) *tree {
	t := r.trees[root]
	if dir == "" {
		return t
	}
	for _, name := range strings.Split(dir, "/") {
		if t == nil {
			return nil
		}
		var next *tree
		for _, e := range t.entries {
			if e.name == name && e.typ == "tree" {
				next = r.trees[e.sha]
			}
		}
		t = next
	}
	return t
}

func (f *Fake) getContents(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	ref := c.query.Get("ref")
	cm := r.resolve(ref)
	if cm == nil {
		return errReply(http.StatusNotFound, "No commit found for the ref "+ref)
	}
	p := strings.Trim(c.param("path"), "/")
	if content, found := cm.files[p]; found {
		return f.fileContents(c, r, cm, p, content)
	}
	t := r.lookupTree(cm.tree, p)
	if t == nil {
		return notFound()
	}
	out := []*contentOut{}
	for _, e := range t.entries {
		child := e.name
		if p != "" {
			child = p + "/" + e.name
		}
		typ := "file"
		if e.typ == "tree" {
			typ = "dir"
		}
		api, html, git := f.contentURLs(c, r, cm, child, typ, e.sha)
		entry := &github.RepositoryContent{Type: ptr(typ), Size: ptr(e.size), Name: ptr(e.name), Path: ptr(child),
			SHA: ptr(e.sha), URL: ptr(api), GitURL: ptr(git), HTMLURL: ptr(html)}
		if typ == "file" {
			entry.DownloadURL = ptr("https://raw.githubusercontent.com/" + r.fullName() + "/" + cm.sha + "/" + child)
		}
		out = append(out, wrapContent(entry))
	}
	return ok(out)
}

// Trees.

type treeEntryJSON struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Type string `json:"type"`
	SHA  string `json:"sha"`
	Size *int   `json:"size,omitempty"`
	URL  string `json:"url"`
}

func (f *Fake) getTree(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	ref := c.param("tree_sha")
	t := r.trees[strings.ToLower(ref)]
	if t == nil {
		if cm := r.resolve(ref); cm != nil {
			t = r.trees[cm.tree]
		}
	}
	if t == nil {
		return notFound()
	}
	_, recursive := c.query["recursive"]
	entries := []treeEntryJSON{}
	var walk func(t *tree, prefix string)
	walk = func(t *tree, prefix string) {
		for _, e := range t.entries {
			j := treeEntryJSON{Path: prefix + e.name, Type: e.typ, SHA: e.sha}
			if e.typ == "tree" {
				j.Mode = "040000"
				j.URL = c.base + "/repos/" + r.fullName() + "/git/trees/" + e.sha
			} else {
				j.Mode = "100644"
				j.Size = ptr(e.size)
				j.URL = c.base + "/repos/" + r.fullName() + "/git/blobs/" + e.sha
			}
			entries = append(entries, j)
			if e.typ == "tree" && recursive {
				walk(r.trees[e.sha], prefix+e.name+"/")
			}
		}
	}
	walk(t, "")
	return ok(struct {
		SHA       string          `json:"sha"`
		URL       string          `json:"url"`
		Tree      []treeEntryJSON `json:"tree"`
		Truncated bool            `json:"truncated"`
	}{t.sha, c.base + "/repos/" + r.fullName() + "/git/trees/" + t.sha, entries, false})
}

// Commits, branches, compare.

func (f *Fake) signatureUser(s Signature) *account {
	if s.Login != "" {
		return f.st.account(s.Login)
	}
	return f.st.userByEmail(s.Email)
}

func (f *Fake) commitJSON(c *call, r *repo, cm *commit, withFiles bool) *commitOut {
	api := c.base + "/repos/" + r.fullName()
	out := &github.RepositoryCommit{
		SHA: ptr(cm.sha), NodeID: ptr("C_" + cm.sha[:12]),
		Commit: &github.Commit{
			Author:       &github.CommitAuthor{Name: ptr(cm.author.Name), Email: ptr(cm.author.Email), Date: ts(cm.author.Date)},
			Committer:    &github.CommitAuthor{Name: ptr(cm.committer.Name), Email: ptr(cm.committer.Email), Date: ts(cm.committer.Date)},
			Message:      ptr(cm.message),
			Tree:         &github.Tree{SHA: ptr(cm.tree)},
			URL:          ptr(api + "/git/commits/" + cm.sha),
			CommentCount: ptr(0),
			Verification: &github.SignatureVerification{Verified: ptr(false), Reason: ptr("unsigned")},
		},
		Author:      f.userJSON(c, f.signatureUser(cm.author)),
		Committer:   f.userJSON(c, f.signatureUser(cm.committer)),
		HTMLURL:     ptr(f.opts.WebURL + "/" + r.fullName() + "/commit/" + cm.sha),
		URL:         ptr(api + "/commits/" + cm.sha),
		CommentsURL: ptr(api + "/commits/" + cm.sha + "/comments"),
		Parents:     []*github.Commit{},
	}
	for _, p := range cm.parents {
		out.Parents = append(out.Parents, &github.Commit{SHA: ptr(p), URL: ptr(api + "/commits/" + p),
			HTMLURL: ptr(f.opts.WebURL + "/" + r.fullName() + "/commit/" + p)})
	}
	if withFiles {
		var parentFiles map[string]string
		if len(cm.parents) > 0 {
			parentFiles = r.commits[cm.parents[0]].files
		}
		files := f.filesJSON(c, r, cm, diff(parentFiles, cm.files))
		add, del := 0, 0
		for _, fl := range files {
			add += fl.GetAdditions()
			del += fl.GetDeletions()
		}
		out.Files = files
		out.Stats = &github.CommitStats{Additions: ptr(add), Deletions: ptr(del), Total: ptr(add + del)}
	}
	return f.wrapCommit(c, r, out)
}

func (f *Fake) filesJSON(c *call, r *repo, head *commit, diffs []fileDiff) []*github.CommitFile {
	out := []*github.CommitFile{}
	for _, d := range diffs {
		cf := &github.CommitFile{
			SHA: ptr(d.sha), Filename: ptr(d.filename), Status: ptr(d.status),
			Additions: ptr(d.additions), Deletions: ptr(d.deletions), Changes: ptr(d.additions + d.deletions),
			BlobURL:     ptr(f.opts.WebURL + "/" + r.fullName() + "/blob/" + head.sha + "/" + d.filename),
			RawURL:      ptr(f.opts.WebURL + "/" + r.fullName() + "/raw/" + head.sha + "/" + d.filename),
			ContentsURL: ptr(c.base + "/repos/" + r.fullName() + "/contents/" + d.filename + "?ref=" + head.sha),
		}
		if d.patch != "" { // a rename without changes has no patch
			cf.Patch = ptr(d.patch)
		}
		if d.previous != "" {
			cf.PreviousFilename = ptr(d.previous)
		}
		out = append(out, cf)
	}
	return out
}

func (f *Fake) getCommit(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	cm := r.resolve(c.param("ref"))
	if cm == nil {
		return unprocessable("No commit found for SHA: " + c.param("ref"))
	}
	return ok(f.commitJSON(c, r, cm, true))
}

func (f *Fake) getBranch(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	name := c.param("branch")
	sha, found := r.branches[name]
	if !found {
		return errReply(http.StatusNotFound, "Branch not found")
	}
	api := c.base + "/repos/" + r.fullName() + "/branches/" + name
	return ok(struct {
		Name          string            `json:"name"`
		Commit        *commitOut        `json:"commit"`
		Links         map[string]string `json:"_links"`
		Protected     bool              `json:"protected"`
		Protection    map[string]any    `json:"protection"`
		ProtectionURL string            `json:"protection_url"`
	}{
		Name: name, Commit: f.commitJSON(c, r, r.commits[sha], false),
		Links:         map[string]string{"self": api, "html": f.opts.WebURL + "/" + r.fullName() + "/tree/" + name},
		Protection:    map[string]any{"enabled": false, "required_status_checks": map[string]any{"enforcement_level": "off", "contexts": []string{}, "checks": []string{}}},
		ProtectionURL: api + "/protection",
	})
}

// compareEnds are the commits "base...head" names in r; ok is false
// (GitHub's 404) when it names no two.
func compareEnds(r *repo, basehead string) (base, head *commit, ok bool) {
	baseRef, headRef, found := compareRefs(r, basehead)
	if !found {
		return nil, nil, false
	}
	base, head = r.resolve(baseRef), r.resolve(headRef)
	return base, head, base != nil && head != nil
}

// compareRefs splits "base...head"; either side may carry an "owner:"
// prefix naming this repository's owner.
func compareRefs(r *repo, basehead string) (base, head string, ok bool) {
	base, head, ok = strings.Cut(basehead, "...")
	if !ok {
		return "", "", false
	}
	strip := func(s string) (string, bool) {
		if owner, ref, has := strings.Cut(s, ":"); has {
			return ref, strings.EqualFold(owner, r.owner.login)
		}
		return s, true
	}
	var okB, okH bool
	base, okB = strip(base)
	head, okH = strip(head)
	return base, head, okB && okH && base != "" && head != ""
}

func (f *Fake) compareCommits(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	base, head, found := compareEnds(r, c.param("basehead"))
	if !found {
		return notFound()
	}
	ahead := r.between(base.sha, head.sha)
	behind := r.between(head.sha, base.sha)
	mb := r.mergeBase(base.sha, head.sha)
	status := "identical"
	switch {
	case len(ahead) > 0 && len(behind) > 0:
		status = "diverged"
	case len(ahead) > 0:
		status = "ahead"
	case len(behind) > 0:
		status = "behind"
	}
	// https://docs.github.com/rest/commits/commits#compare-two-commits:
	// without per_page or page, at most 250 commits; paginated, every
	// commit, and the files only on the first page. Either way at most 300
	// files for the whole comparison.
	page := ahead
	_, paged := c.query["page"]
	_, sized := c.query["per_page"]
	firstPage := true
	if paged || sized {
		perPage, p := c.paging()
		firstPage = p == 1
		page = paginateWith(c, ahead, perPage, p)
	} else if len(page) > 250 {
		page = page[:250]
	}
	commits := []*commitOut{}
	for _, cm := range page {
		commits = append(commits, f.commitJSON(c, r, cm, false))
	}
	api := c.base + "/repos/" + r.fullName()
	basehead := c.param("basehead")
	out := &comparisonOut{CommitsComparison: &github.CommitsComparison{
		Status:  ptr(status),
		AheadBy: ptr(len(ahead)), BehindBy: ptr(len(behind)), TotalCommits: ptr(len(ahead)),
		Files:        []*github.CommitFile{},
		HTMLURL:      ptr(f.opts.WebURL + "/" + r.fullName() + "/compare/" + basehead),
		PermalinkURL: ptr(f.opts.WebURL + "/" + r.fullName() + "/compare/" + base.sha[:7] + "..." + head.sha[:7]),
		DiffURL:      ptr(f.opts.WebURL + "/" + r.fullName() + "/compare/" + basehead + ".diff"),
		PatchURL:     ptr(f.opts.WebURL + "/" + r.fullName() + "/compare/" + basehead + ".patch"),
		URL:          ptr(api + "/compare/" + basehead),
	}, BaseCommit: f.commitJSON(c, r, base, false), Commits: commits}
	if mb != nil {
		out.MergeBaseCommit = f.commitJSON(c, r, mb, false)
		if firstPage {
			files := f.filesJSON(c, r, head, diff(mb.files, head.files))
			if len(files) > 300 {
				files = files[:300]
			}
			out.Files = files
		}
	}
	return ok(out)
}

// Repository health.

// codeownersPaths are where GitHub looks for a CODEOWNERS file.
// https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-file-location
var codeownersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

func (f *Fake) getCodeownersErrors(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	cm := r.resolve(c.query.Get("ref"))
	if cm == nil {
		return notFound()
	}
	// Without a CODEOWNERS file in any of the three places GitHub looks,
	// there is nothing to list: 404 ("Resource not found").
	// https://docs.github.com/rest/repos/repos#list-codeowners-errors
	if !slices.ContainsFunc(codeownersPaths, func(p string) bool { _, ok := cm.files[p]; return ok }) {
		return notFound()
	}
	type entry struct {
		Line       int    `json:"line"`
		Column     int    `json:"column"`
		Kind       string `json:"kind"`
		Source     string `json:"source"`
		Suggestion string `json:"suggestion,omitempty"`
		Message    string `json:"message"`
		Path       string `json:"path"`
	}
	out := struct {
		Errors []entry `json:"errors"`
	}{Errors: []entry{}}
	for _, e := range r.codeownersErrors {
		out.Errors = append(out.Errors, entry(e))
	}
	return ok(out)
}

func (f *Fake) getCommunityProfile(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	cm := r.resolve("")
	find := func(names ...string) map[string]string {
		for _, dir := range []string{"", ".github/", "docs/"} {
			for _, n := range names {
				for p := range cm.files {
					if strings.EqualFold(p, dir+n) {
						return map[string]string{"url": c.base + "/repos/" + r.fullName() + "/contents/" + p,
							"html_url": f.opts.WebURL + "/" + r.fullName() + "/blob/" + r.defaultBranch + "/" + p}
					}
				}
			}
		}
		return nil
	}
	files := map[string]any{
		"code_of_conduct":       nil,
		"code_of_conduct_file":  find("CODE_OF_CONDUCT.md", "CODE_OF_CONDUCT"),
		"contributing":          find("CONTRIBUTING.md", "CONTRIBUTING"),
		"issue_template":        find("ISSUE_TEMPLATE.md", "ISSUE_TEMPLATE"),
		"pull_request_template": find("PULL_REQUEST_TEMPLATE.md", "pull_request_template.md"),
		"readme":                find("README.md", "README", "README.rst", "README.txt"),
		"license":               nil,
	}
	if l := r.detectLicense(""); l != nil {
		files["license"] = map[string]string{"key": l.key, "name": l.name, "spdx_id": l.spdx, "node_id": l.license(c).NodeID,
			"url": c.base + "/licenses/" + l.key, "html_url": f.opts.WebURL + "/" + r.fullName() + "/blob/" + r.defaultBranch + "/" + l.path}
	}
	present, total := 0, 0
	for _, k := range []string{"code_of_conduct_file", "contributing", "issue_template", "pull_request_template", "readme", "license"} {
		total++
		if m, ok := files[k].(map[string]string); ok && m != nil {
			present++
		}
	}
	total++
	if r.description != "" {
		present++
	}
	return ok(map[string]any{
		"health_percentage":       present * 100 / total,
		"description":             r.description,
		"documentation":           nil,
		"files":                   files,
		"updated_at":              ts(r.updated),
		"content_reports_enabled": false,
	})
}
