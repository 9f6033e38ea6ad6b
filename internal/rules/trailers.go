package rules

import "strings"

// Trailer is one git trailer of a commit message, such as
// "Signed-off-by: Jane Doe <jane@example.com>".
type Trailer struct {
	// Key is the token as written ("Signed-off-by"); git compares keys
	// ignoring case, so compare with strings.EqualFold (or use Is).
	Key string
	// Value is the text after the separator, trimmed; continuation lines
	// are joined with a space.
	Value string
}

// Is reports whether the trailer's key is key, ignoring case.
func (t Trailer) Is(key string) bool { return strings.EqualFold(t.Key, key) }

// Trailer keys the pull request rules read.
const (
	KeySignedOffBy   = "Signed-off-by"
	KeyCoAuthoredBy  = "Co-authored-by"
	noreplyDomain    = "users.noreply.github.com"
	maxTrailerLength = 64 << 10 // bytes of one trailer value kept
)

// gitGeneratedPrefixes make a block count as trailers even with other
// lines in it (git's trailer.c).
var gitGeneratedPrefixes = []string{"Signed-off-by: ", "(cherry picked from commit "}

// Trailers returns the trailers of a commit message, in order, as git
// finds them (git interpret-trailers --parse, trailer.c):
//
//   - The trailers are in the last paragraph, after a blank line; the
//     first paragraph (the subject) never holds trailers.
//   - A trailer line is a key of letters, digits and hyphens, optionally
//     followed by spaces, then ':' and the value. A line starting with
//     whitespace continues the trailer before it.
//   - The paragraph counts only when every line in it is a trailer (or a
//     continuation or a # comment), or when it holds a line git generates
//     itself ("Signed-off-by: ", "(cherry picked from commit ") and at
//     least a quarter of its lines are trailers. Other lines in such a
//     paragraph are not trailers.
//
// Keys keep their spelling; compare them ignoring case. No "---" divider
// is looked for: a commit message has no patch after it.
func Trailers(message string) []Trailer {
	lines := strings.Split(message, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	start := trailerBlockStart(lines)
	if start < 0 {
		return nil
	}
	var out []Trailer
	last := -1 // index in out of the trailer a continuation line extends
	for _, l := range lines[start:] {
		switch {
		case isBlank(l):
			last = -1
		case strings.HasPrefix(l, "#"):
			last = -1
		case isSpace(l[0]):
			if last >= 0 && len(out[last].Value) < maxTrailerLength {
				if v := strings.TrimSpace(l); v != "" {
					out[last].Value = strings.TrimSpace(out[last].Value + " " + v)
				}
			}
		default:
			sep := findSeparator(l)
			if sep < 1 {
				last = -1
				continue
			}
			key := strings.TrimSpace(l[:sep])
			value := strings.TrimSpace(l[sep+1:])
			out = append(out, Trailer{Key: key, Value: value})
			last = len(out) - 1
		}
	}
	return out
}

// trailerBlockStart returns the index of the first line of the trailer
// block, or -1 when the message has none (git's find_trailer_block_start).
func trailerBlockStart(lines []string) int {
	// The first paragraph is the title and cannot be trailers.
	endOfTitle := len(lines)
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if isBlank(l) {
			endOfTitle = i
			break
		}
	}
	onlySpaces := true
	recognized := false
	trailerLines, nonTrailerLines, possibleContinuations := 0, 0, 0
	for i := len(lines) - 1; i >= endOfTitle; i-- {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			nonTrailerLines += possibleContinuations
			possibleContinuations = 0
			continue
		}
		if isBlank(l) {
			if onlySpaces {
				continue
			}
			nonTrailerLines += possibleContinuations
			if recognized && trailerLines*3 >= nonTrailerLines || trailerLines > 0 && nonTrailerLines == 0 {
				return i + 1
			}
			return -1
		}
		onlySpaces = false
		if hasGitGeneratedPrefix(l) {
			trailerLines++
			possibleContinuations = 0
			recognized = true
			continue
		}
		switch {
		case findSeparator(l) >= 1 && !isSpace(l[0]):
			trailerLines++
			possibleContinuations = 0
		case isSpace(l[0]):
			possibleContinuations++
		default:
			nonTrailerLines += 1 + possibleContinuations
			possibleContinuations = 0
		}
	}
	return -1
}

func hasGitGeneratedPrefix(l string) bool {
	for _, p := range gitGeneratedPrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// findSeparator returns the position of the ':' after a trailer key (ASCII
// letters, digits and hyphens, then optional spaces or tabs), or -1.
func findSeparator(l string) int {
	whitespace := false
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == ':':
			return i
		case !whitespace && (isASCIIAlnum(c) || c == '-'):
		case i > 0 && (c == ' ' || c == '\t'):
			whitespace = true
		default:
			return -1
		}
	}
	return -1
}

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isBlank(l string) bool {
	for i := 0; i < len(l); i++ {
		if !isSpace(l[i]) {
			return false
		}
	}
	return true
}

// ParsePerson reads an identity as git writes it in a trailer:
// "Jane Doe <jane@example.com>". The name may be empty or in double
// quotes; the email must have something on both sides of its last '@' and
// no spaces or angle brackets. ok is false for anything else ("Jane",
// "jane@example.com" without brackets, "Jane <jane>").
func ParsePerson(value string) (name, email string, ok bool) {
	v := strings.TrimSpace(value)
	if !strings.HasSuffix(v, ">") {
		return "", "", false
	}
	open := strings.LastIndexByte(v, '<')
	if open < 0 {
		return "", "", false
	}
	email = strings.TrimSpace(v[open+1 : len(v)-1])
	name = strings.TrimSpace(v[:open])
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		name = strings.TrimSpace(name[1 : len(name)-1])
	}
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || strings.ContainsAny(email, "<> \t\r\n\v\f") || strings.ContainsAny(name, "<>") {
		return "", "", false
	}
	return name, email, true
}

// noreplyAccount reads a GitHub noreply address: "ID+login@users.noreply.github.com"
// gives the account with its ID, "login@users.noreply.github.com" (the
// older form) its login only (ID 0).
func noreplyAccount(email string) (Account, bool) {
	at := strings.LastIndexByte(email, '@')
	if at < 1 || !strings.EqualFold(email[at+1:], noreplyDomain) {
		return Account{}, false
	}
	local := email[:at]
	if id, login, ok := strings.Cut(local, "+"); ok {
		n := parseID(id)
		if n <= 0 || !plausibleLogin(login) {
			return Account{}, false
		}
		return Account{ID: n, Login: login, FromText: true}, true
	}
	if !plausibleLogin(local) {
		return Account{}, false
	}
	return Account{Login: local, FromText: true}, true
}

// parseID reads a positive decimal user ID, or returns 0.
func parseID(s string) int64 {
	if s == "" || len(s) > 18 {
		return 0
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

// plausibleLogin: letters, digits and hyphens, optionally ending in
// "[bot]" (an app's bot account).
func plausibleLogin(s string) bool {
	s = strings.TrimSuffix(s, "[bot]")
	if s == "" || len(s) > 39 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isASCIIAlnum(s[i]) && s[i] != '-' && s[i] != '_' {
			return false
		}
	}
	return true
}
