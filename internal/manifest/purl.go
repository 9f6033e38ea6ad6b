package manifest

import "strings"

// PURL is the package URL of p (https://github.com/package-url/purl-spec):
// pkg:npm/%40scope/name@1.0.0, pkg:golang/github.com/x/y@v1.2.3,
// pkg:pypi/name@1.0 (PEP 503-normalised name), pkg:cargo/name@1.0,
// pkg:maven/group/artifact@1.0; without "@version" when Version is "".
// Each segment is percent-encoded: every byte but the URL-unreserved
// ones (letters, digits, "-", ".", "_", "~").
func (p Package) PURL() string {
	var typ string
	var segments []string
	switch p.Ecosystem {
	case NPM:
		typ = "npm"
		if strings.HasPrefix(p.Name, "@") {
			if scope, name, ok := strings.Cut(p.Name, "/"); ok {
				segments = []string{scope, name}
				break
			}
		}
		segments = []string{p.Name}
	case GoMod:
		typ = "golang"
		segments = strings.Split(p.Name, "/")
	case Pip:
		typ = "pypi"
		segments = []string{pep503(p.Name)}
	case Cargo:
		typ = "cargo"
		segments = []string{p.Name}
	case Maven:
		typ = "maven"
		if group, artifact, ok := strings.Cut(p.Name, ":"); ok {
			segments = []string{group, artifact}
		} else {
			segments = []string{p.Name}
		}
	default:
		typ = strings.ToLower(p.Ecosystem)
		segments = []string{p.Name}
	}
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(typ)
	for _, s := range segments {
		if s == "" {
			continue // purl: no empty namespace segment
		}
		b.WriteByte('/')
		escape(&b, s)
	}
	if p.Version != "" {
		b.WriteByte('@')
		escape(&b, p.Version)
	}
	return b.String()
}

func escape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// pep503 normalises a Python distribution name as PEP 503 does
// (re.sub(r"[-_.]+", "-", name).lower()).
func pep503(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			if !sep {
				b.WriteByte('-')
			}
			sep = true
			continue
		}
		sep = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
