package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzParse checks Parse never panics on path's format, and that what it
// returns holds together: an *Error naming the file, or packages with a
// name, a known scope and a line inside the file.
func fuzzParse(f *testing.F, path string, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", s))
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 8<<10 {
			data = data[:8<<10] // a cut copy: the fuzzer mutates and minimises small inputs best
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := Parse(path, data)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Path != path || !strings.HasPrefix(err.Error(), path+":") {
				t.Fatalf("error %#v does not name %s", err, path)
			}
			if e.Line < 0 || e.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("error line %d outside the file", e.Line)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, p := range ps {
			if p.Name == "" && p.Ecosystem != Maven {
				t.Fatalf("a package without a name: %+v", p)
			}
			if p.Scope != Runtime && p.Scope != Development && p.Scope != Unknown {
				t.Fatalf("scope %q", p.Scope)
			}
			if p.Line < 0 || p.Line > lines {
				t.Fatalf("line %d outside the file (%d lines)", p.Line, lines)
			}
			if purl := p.PURL(); !strings.HasPrefix(purl, "pkg:") || !utf8.ValidString(purl) || strings.ContainsAny(purl, " \n") {
				t.Fatalf("PURL %q", purl)
			}
		}
		_ = Changes(ps, ps)
	})
}

func FuzzGoMod(f *testing.F) { fuzzParse(f, "go.mod", "gomod/goose.go.mod") }
func FuzzPackageJSON(f *testing.F) {
	fuzzParse(f, "package.json", "npm/express.package.json", "npm/checkout.package.json")
}
func FuzzPackageLock(f *testing.F) {
	f.Add([]byte(`{"packages":{"node_modules/a":{"version":"1","dev":true,"license":"MIT"}},"dependencies":{"a":{"version":"1","dependencies":{"b":{"version":"2"}}}}}`))
	fuzzParse(f, "package-lock.json", "npm/checkout-v3.package-lock.json", "npm/checkout-v1.package-lock.json")
}
func FuzzRequirements(f *testing.F) {
	f.Add([]byte("-e git+https://x/y#egg=z\na[b]>=1 ; python_version<'3'\nc==1 \\\n --hash=sha256:00\n"))
	fuzzParse(f, "requirements.txt", "pip/sigstore.requirements.txt", "pip/requests-dev.requirements.txt")
}
func FuzzPyproject(f *testing.F) {
	fuzzParse(f, "pyproject.toml", "pip/requests.pyproject.toml", "pip/poetry.pyproject.toml", "pip/poetry-1.1.pyproject.toml")
}
func FuzzPoetryLock(f *testing.F) { fuzzParse(f, "poetry.lock", "pip/poetry-1.1.poetry.lock") }
func FuzzCargoLock(f *testing.F)  { fuzzParse(f, "Cargo.lock", "cargo/ripgrep.Cargo.lock") }
func FuzzCargoTOML(f *testing.F)  { fuzzParse(f, "Cargo.toml", "cargo/ripgrep.Cargo.toml") }
func FuzzPOM(f *testing.F)        { fuzzParse(f, "pom.xml", "maven/commons-lang.pom.xml") }

// BenchmarkParse reads the biggest lock file here, actions/checkout's
// package-lock.json (lockfileVersion 3, 294 KB, 586 packages).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", "npm", "checkout-v3.package-lock.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("package-lock.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePoetryLock(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", "pip", "poetry.lock"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("poetry.lock", data); err != nil {
			b.Fatal(err)
		}
	}
}
