package githubfake

// Renames, as git and GitHub detect them: a file removed on one side and
// added on the other with the same or similar content is one change,
// "renamed", whose previous_filename is the old path. GitHub's file lists
// (pull request files, compare, a commit's files) show such a file once:
// https://docs.github.com/rest/pulls/pulls#list-pull-requests-files and
// https://docs.github.com/rest/commits/commits#compare-two-commits ("files
// with a `renamed` status have a `previous_filename` field").

// renameThreshold is git's default similarity for a rename (-M50%).
const renameThreshold = 0.5

// renameLimit is git's diff.renameLimit: past this many candidate pairs
// only exact renames are detected.
const renameLimit = 1000 * 1000

// detectRenames pairs removed and added files of diffs into renames: exact
// content first, then the most similar pair at or above the threshold.
// Empty files are never renames, as in git.
func detectRenames(from, to map[string]string, diffs []fileDiff) []fileDiff {
	var removed, added []int
	for i, d := range diffs {
		switch {
		case d.status == "removed" && from[d.filename] != "":
			removed = append(removed, i)
		case d.status == "added" && to[d.filename] != "":
			added = append(added, i)
		}
	}
	if len(removed) == 0 || len(added) == 0 {
		return diffs
	}
	pairOf := map[int]int{} // added index → removed index
	taken := map[int]bool{}
	byContent := map[string][]int{}
	for _, r := range removed {
		byContent[from[diffs[r].filename]] = append(byContent[from[diffs[r].filename]], r)
	}
	for _, a := range added {
		for _, r := range byContent[to[diffs[a].filename]] {
			if !taken[r] {
				pairOf[a], taken[r] = r, true
				break
			}
		}
	}
	if len(removed)*len(added) <= renameLimit {
		for _, a := range added {
			if _, ok := pairOf[a]; ok {
				continue
			}
			best, bestScore := -1, renameThreshold
			for _, r := range removed {
				if taken[r] {
					continue
				}
				if s := similarity(from[diffs[r].filename], to[diffs[a].filename]); s >= bestScore {
					best, bestScore = r, s
				}
			}
			if best >= 0 {
				pairOf[a], taken[best] = best, true
			}
		}
	}
	var out []fileDiff
	for i, d := range diffs {
		if taken[i] {
			continue
		}
		if r, ok := pairOf[i]; ok {
			old := diffs[r].filename
			d = renamed(old, d.filename, from[old], to[d.filename])
		}
		out = append(out, d)
	}
	return out
}

// renamed is the change of a file moved from old to name.
func renamed(old, name, oldContent, newContent string) fileDiff {
	d := fileDiff{filename: name, previous: old, status: "renamed", sha: blobSHA(newContent)}
	if oldContent != newContent {
		del, add := lines(oldContent), lines(newContent)
		d.deletions, d.additions = lineChanges(del, add)
		d.patch = hunk(del, add)
	}
	return d
}

// similarity is the share of lines the two contents have in common,
// against the longer one: close enough to git's score for tests.
func similarity(a, b string) float64 {
	la, lb := lines(a), lines(b)
	n := max(len(la), len(lb))
	if n == 0 {
		return 0
	}
	removed, _ := lineChanges(la, lb)
	return float64(len(la)-removed) / float64(n)
}
