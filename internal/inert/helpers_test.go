package inert

import (
	"regexp"
	"unicode/utf8"
)

var githubMentionRE = regexp.MustCompile(`(^|[^\w])@([a-zA-Z0-9][a-zA-Z0-9-]*(?:/[a-zA-Z0-9][a-zA-Z0-9_.-]*)?)`)

func validUTF8(s string) bool { return utf8.ValidString(s) }

var linkRE = regexp.MustCompile(`(?s)<a [^>]*>.*?</a>`)
