package web

// PagePatterns returns the path patterns of the org's pages under
// /dashboard/{org}/, in the order pages registers them ("{$}" is the
// overview; "repositories/{rest...}" a page whose rest names a
// repository), so that the benchmark and its URL test measure every page
// as it lands.
func PagePatterns() []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.path
	}
	return out
}
