package kpi

import "strings"

//go:generate go run gen_osi.go

// OSIApproved reports whether an SPDX licence expression is OSI approved
// by the SPDX licence list (SPDXListVersion): every licence it names must
// be; a WITH exception does not change that. "" and NOASSERTION are not.
func OSIApproved(expr string) bool {
	words := strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(expr))
	n := 0
	for i := 0; i < len(words); i++ {
		switch w := words[i]; strings.ToUpper(w) {
		case "AND", "OR":
		case "WITH":
			i++ // the exception
		default:
			if !osiApproved[strings.ToLower(strings.TrimSuffix(w, "+"))] {
				return false
			}
			n++
		}
	}
	return n > 0
}
