package prcheck

import (
	"fmt"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// unverifiedNote explains a CLA that cannot pass because the commits name
// more identities than one check looks up, or "".
func unverifiedNote(cla rules.CLAResult) string {
	n := len(cla.Unverified)
	if n == 0 {
		return ""
	}
	var names []string
	for i, l := range cla.Unverified {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", n-i))
			break
		}
		names = append(names, inert.Code(l)) // from commit text: no mention
	}
	return fmt.Sprintf("**Identities not verified.** The commits name more people than the bot looks up in one check "+
		"(at most %d accounts and org memberships): %d were not looked up (%s), so the CLA cannot pass. "+
		"Name fewer distinct authors and co-authors (split the pull request, or drop `Co-authored-by:` lines), "+
		"write co-authors as `ID+login@users.noreply.github.com`, which needs no lookup, or have those listed sign the CLA.\n",
		cla.LookupBudget, n, strings.Join(names, ", "))
}
