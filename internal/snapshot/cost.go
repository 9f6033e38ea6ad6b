package snapshot

import "github.com/ospo-bot/ospo-bot/internal/rules"

// MaxCalls is what gathering a repository snapshot for n costs GitHub at
// most when nothing is cached, as Repository makes the calls: the
// repository, the trees it lists, the files it reads (a set read without
// First counts two: LICENSE-MIT and LICENSE-APACHE), CODEOWNERS errors,
// one page of labels, the root's package manifests, the org .github repository's defaults (and a file
// read from there) and private vulnerability reporting. The
// fan-out paces checks by it.
func MaxCalls(n rules.Needs) int {
	calls := 1 // the repository
	if len(n.Dirs) > 0 {
		calls++ // the root
		for _, d := range n.Dirs {
			if d != "" {
				calls++
			}
		}
	}
	for _, f := range n.Read {
		if f.First {
			calls++
		} else {
			calls += 2
		}
	}
	if n.CodeownersErrors {
		calls++
	}
	if n.Labels {
		calls++
	}
	if n.OrgHealth {
		calls += 4 // the org's .github, its root, .github/ and docs/
		for _, f := range n.Read {
			if f.OrgDefault {
				calls++ // the org's file, when the repository has none
			}
		}
	}
	if n.PrivateReporting {
		calls++
	}
	if n.Manifests {
		calls += 2 // the root's manifests, counted as a set (package.json and pyproject.toml)
	}
	return calls
}
