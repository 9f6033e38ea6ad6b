package rules

import (
	"embed"
	"io/fs"
	"path"
	"strings"
	"sync"
	"unicode"
)

// Scan (licensecheck v0.3.1) matches license templates exactly and reports
// no per-license percentage. To say how far a text is from a license, this
// file compares normalised words against the standard texts embedded from
// licenses/ (see licenses/README.md for their sources).

//go:embed licenses/*.txt
var licenseTexts embed.FS

// reference is a license's standard text as normalised words.
type reference struct {
	id    string
	words []string
	bag   map[string]int
}

var (
	referencesOnce sync.Once
	referenceList  []reference
	referenceByID  map[string]*reference
)

// references returns the reference texts, read once (read-only after).
func references() ([]reference, map[string]*reference) {
	referencesOnce.Do(func() {
		entries, _ := fs.Glob(licenseTexts, "licenses/*.txt") // the pattern is valid
		referenceByID = make(map[string]*reference, len(entries))
		for _, name := range entries {
			text, err := licenseTexts.ReadFile(name)
			if err != nil {
				continue
			}
			w := words(string(text))
			id := strings.TrimSuffix(path.Base(name), ".txt")
			referenceList = append(referenceList, reference{id: id, words: w, bag: bagOf(w)})
		}
		for i := range referenceList {
			referenceByID[licenseKey(referenceList[i].id)] = &referenceList[i]
		}
	})
	return referenceList, referenceByID
}

// words splits text into lower-case runs of letters and digits.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func bagOf(w []string) map[string]int {
	bag := make(map[string]int, len(w))
	for _, x := range w {
		bag[x]++
	}
	return bag
}

// overlap is an upper bound of the longest common subsequence of two texts:
// the words they share, counted with multiplicity.
func overlap(a, b map[string]int) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for w, ca := range a {
		n += min(ca, b[w])
	}
	return n
}

// commonWords returns the length of the longest common subsequence of a
// and b, or ok=false when it is below atLeast (the search then stops early).
func commonWords(a, b []string, atLeast int) (lcs int, ok bool) {
	maxD := len(a) + len(b) - 2*max(atLeast, 0)
	if maxD < 0 {
		return 0, false
	}
	d, ok := editDistance(a, b, maxD)
	if !ok {
		return 0, false
	}
	return (len(a) + len(b) - d) / 2, true
}

// editDistance is the number of words to insert and delete to turn a into
// b (Myers' O(ND) algorithm), or ok=false when it exceeds maxD.
func editDistance(a, b []string, maxD int) (int, bool) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return n + m, n+m <= maxD
	}
	maxD = min(maxD, n+m)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			x := v[off+k-1] + 1
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return d, true
			}
		}
	}
	return maxD + 1, false
}

// lookalike is the reference closest to a text that Scan did not identify.
type lookalike struct {
	id         string
	similarity float64 // percent: 2·common words / (text words + license words)
}

// closestLicense finds the reference most similar to text, if any reaches
// floor percent.
func closestLicense(text []string, floor float64) (lookalike, bool) {
	refs, _ := references()
	bag := bagOf(text)
	best, found := lookalike{}, false
	for i := range refs {
		r := &refs[i]
		total := float64(len(text) + len(r.words))
		bound := 200 * float64(overlap(bag, r.bag)) / total
		if bound < floor || bound <= best.similarity {
			continue
		}
		need := max(int(floor*total/200), int(best.similarity*total/200)+1)
		lcs, ok := commonWords(text, r.words, need)
		if !ok {
			continue
		}
		if sim := 200 * float64(lcs) / total; sim >= floor && sim > best.similarity {
			best, found = lookalike{id: r.id, similarity: sim}, true
		}
	}
	return best, found
}

// licenseShare is the percentage of license id's standard text found in
// text, and false when there is no reference text for id.
func licenseShare(id string, text []string) (float64, bool) {
	_, byID := references()
	r, ok := byID[licenseKey(id)]
	if !ok || len(r.words) == 0 {
		return 0, false
	}
	lcs, _ := commonWords(text, r.words, 0)
	return 100 * float64(lcs) / float64(len(r.words)), true
}

// StandardText returns the standard text of a license the rule knows
// ("Apache-2.0"), as the rule compares files with it.
func StandardText(id string) (string, bool) {
	b, err := licenseTexts.ReadFile("licenses/" + id + ".txt")
	return string(b), err == nil
}
