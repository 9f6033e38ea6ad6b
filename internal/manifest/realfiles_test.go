package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// The files under testdata/manifests are real manifests and lock files
// of public projects; testdata/manifests/README.md names each source.
func load(t testing.TB, file, as string) []Package {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", file))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Parse(as, data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return ps
}

// find is the first entry named name at version (any version when "").
func find(t *testing.T, ps []Package, name, version string) Package {
	t.Helper()
	for _, p := range ps {
		if p.Name == name && (version == "" || p.Version == version) {
			return p
		}
	}
	t.Fatalf("no %s@%s among %d packages", name, version, len(ps))
	return Package{}
}

func check(t *testing.T, got, want Package) {
	t.Helper()
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func count(ps []Package, scope string) int {
	n := 0
	for _, p := range ps {
		if p.Scope == scope {
			n++
		}
	}
	return n
}

func TestGoModGoose(t *testing.T) {
	ps := load(t, "gomod/goose.go.mod", "go.mod")
	if len(ps) != 68 || count(ps, Runtime) != 68 {
		t.Fatalf("%d packages, %d runtime; want 68 (16 direct, 52 indirect), all runtime", len(ps), count(ps, Runtime))
	}
	check(t, ps[0], Package{Ecosystem: GoMod, Name: "github.com/ClickHouse/clickhouse-go/v2", Version: "v2.30.0", Scope: Runtime, Line: 6})
	check(t, find(t, ps, "github.com/ydb-platform/ydb-go-sdk/v3", ""), Package{Ecosystem: GoMod, Name: "github.com/ydb-platform/ydb-go-sdk/v3", Version: "v3.95.3", Scope: Runtime, Line: 17})
	check(t, find(t, ps, "howett.net/plist", ""), Package{Ecosystem: GoMod, Name: "howett.net/plist", Version: "v1.0.0", Scope: Runtime, Line: 70})
	if got := ps[0].PURL(); got != "pkg:golang/github.com/ClickHouse/clickhouse-go/v2@v2.30.0" {
		t.Errorf("PURL %s", got)
	}
}

func TestPackageJSONExpress(t *testing.T) {
	ps := load(t, "npm/express.package.json", "package.json")
	if len(ps) != 44 || count(ps, Runtime) != 28 || count(ps, Development) != 16 {
		t.Fatalf("%d packages (%d runtime, %d development); want 44 (28, 16)", len(ps), count(ps, Runtime), count(ps, Development))
	}
	check(t, find(t, ps, "debug", ""), Package{Ecosystem: NPM, Name: "debug", Scope: Runtime, Line: 41, Requirement: "^4.4.0"})
	// "router" is also in "keywords" (line 30): only the dependency counts.
	check(t, find(t, ps, "router", ""), Package{Ecosystem: NPM, Name: "router", Scope: Runtime, Line: 57, Requirement: "^2.2.0"})
	check(t, find(t, ps, "cookie-parser", ""), Package{Ecosystem: NPM, Name: "cookie-parser", Version: "1.4.7", Scope: Development, Line: 67})
	check(t, find(t, ps, "mocha", ""), Package{Ecosystem: NPM, Name: "mocha", Scope: Development, Line: 75, Requirement: "^11.7.5"})
}

func TestPackageJSONScoped(t *testing.T) {
	ps := load(t, "npm/checkout.package.json", "package.json")
	if len(ps) != 19 {
		t.Fatalf("%d packages, want 19", len(ps))
	}
	p := find(t, ps, "@actions/core", "")
	check(t, p, Package{Ecosystem: NPM, Name: "@actions/core", Scope: Runtime, Line: 35, Requirement: "^3.0.1"})
	if got := p.PURL(); got != "pkg:npm/%40actions/core" {
		t.Errorf("PURL %s", got)
	}
}

func TestPackageLockV3(t *testing.T) {
	ps := load(t, "npm/checkout-v3.package-lock.json", "web/package-lock.json")
	// 587 "packages" entries: the root "" and 586 under node_modules.
	if len(ps) != 586 || count(ps, Development) != 562 {
		t.Fatalf("%d packages (%d development); want 586 (562)", len(ps), count(ps, Development))
	}
	licensed := 0
	for _, p := range ps {
		if p.License != "" {
			licensed++
		}
	}
	if licensed != 283 {
		t.Errorf("%d with a license, want 283", licensed)
	}
	// The same package at two versions: nested and top level.
	check(t, find(t, ps, "@actions/http-client", "3.0.2"), Package{Ecosystem: NPM, Name: "@actions/http-client", Version: "3.0.2", Scope: Runtime, Line: 81, License: "MIT"})
	check(t, find(t, ps, "@actions/http-client", "4.0.1"), Package{Ecosystem: NPM, Name: "@actions/http-client", Version: "4.0.1", Scope: Runtime, Line: 91, License: "MIT"})
	check(t, find(t, ps, "yn", ""), Package{Ecosystem: NPM, Name: "yn", Version: "3.1.1", Scope: Development, Line: 8096, License: "MIT"})
	if got := find(t, ps, "@actions/http-client", "4.0.1").PURL(); got != "pkg:npm/%40actions/http-client@4.0.1" {
		t.Errorf("PURL %s", got)
	}
}

func TestPackageLockV1(t *testing.T) {
	ps := load(t, "npm/checkout-v1.package-lock.json", "package-lock.json")
	if len(ps) != 773 || count(ps, Development) != 727 {
		t.Fatalf("%d packages (%d development); want 773 (727)", len(ps), count(ps, Development))
	}
	check(t, ps[0], Package{Ecosystem: NPM, Name: "@actions/core", Version: "1.1.3", Scope: Runtime, Line: 7})
	check(t, find(t, ps, "yargs-parser", "13.1.1"), Package{Ecosystem: NPM, Name: "yargs-parser", Version: "13.1.1", Scope: Development, Line: 7014})
}

func TestPyprojectPEP621(t *testing.T) {
	ps := load(t, "pip/requests.pyproject.toml", "pyproject.toml")
	// 4 dependencies, 2 optional (security = []), 13 in dependency-groups.
	if len(ps) != 19 || count(ps, Runtime) != 6 || count(ps, Development) != 13 {
		t.Fatalf("%d packages (%d runtime, %d development); want 19 (6, 13)", len(ps), count(ps, Runtime), count(ps, Development))
	}
	p := ps[0]
	check(t, p, Package{Ecosystem: Pip, Name: "charset_normalizer", Scope: Runtime, Line: 19, Requirement: ">=2,<4"})
	if got := p.PURL(); got != "pkg:pypi/charset-normalizer" {
		t.Errorf("PURL %s", got)
	}
	check(t, find(t, ps, "PySocks", ""), Package{Ecosystem: Pip, Name: "PySocks", Scope: Runtime, Line: 55, Requirement: ">=1.5.6, !=1.5.7"})
	check(t, find(t, ps, "pytest-httpbin", ""), Package{Ecosystem: Pip, Name: "pytest-httpbin", Version: "2.1.0", Scope: Development, Line: 61})
	check(t, ps[len(ps)-1], Package{Ecosystem: Pip, Name: "PyOpenSSL", Scope: Development, Line: 74})
}

func TestPyprojectPoetry(t *testing.T) {
	ps := load(t, "pip/poetry.pyproject.toml", "pyproject.toml")
	if len(ps) != 36 {
		t.Fatalf("%d packages, want 36", len(ps))
	}
	// A comment and a marker on the line; parentheses around the specifier.
	check(t, find(t, ps, "packaging", ""), Package{Ecosystem: Pip, Name: "packaging", Scope: Runtime, Line: 16, Requirement: ">=24.2"})
	check(t, find(t, ps, "tomli", ""), Package{Ecosystem: Pip, Name: "tomli", Scope: Runtime, Line: 23, Requirement: ">=2.0.1,<3.0.0"})
	check(t, find(t, ps, "poetry-core", ""), Package{Ecosystem: Pip, Name: "poetry-core", Scope: Runtime, Line: 7, Requirement: "git+https://github.com/python-poetry/poetry-core.git"})
	check(t, find(t, ps, "pre-commit", ""), Package{Ecosystem: Pip, Name: "pre-commit", Scope: Development, Line: 70, Requirement: ">=2.10"})

	old := load(t, "pip/poetry-1.1.pyproject.toml", "pyproject.toml")
	// 19 [tool.poetry.dependencies] less python, 9 dev-dependencies.
	if len(old) != 27 || count(old, Runtime) != 18 || count(old, Development) != 9 {
		t.Fatalf("%d packages (%d runtime, %d development); want 27 (18, 9)", len(old), count(old, Runtime), count(old, Development))
	}
	check(t, find(t, old, "cachecontrol", ""), Package{Ecosystem: Pip, Name: "cachecontrol", Scope: Runtime, Line: 40, Requirement: "^0.12.4"})
	check(t, find(t, old, "pre-commit", ""), Package{Ecosystem: Pip, Name: "pre-commit", Scope: Development, Line: 58, Requirement: "^2.6"})
}

func TestPoetryLock(t *testing.T) {
	ps := load(t, "pip/poetry.lock", "poetry.lock")
	if len(ps) != 78 {
		t.Fatalf("%d packages, want 78", len(ps))
	}
	check(t, ps[0], Package{Ecosystem: Pip, Name: "anyio", Version: "4.13.0", Scope: Runtime, Line: 3})
	old := load(t, "pip/poetry-1.1.poetry.lock", "poetry.lock")
	if len(old) != 62 || count(old, Runtime) != 40 || count(old, Development) != 22 {
		t.Fatalf("%d packages (%d runtime, %d development); want 62 (40, 22)", len(old), count(old, Runtime), count(old, Development))
	}
	check(t, old[1], Package{Ecosystem: Pip, Name: "atomicwrites", Version: "1.4.0", Scope: Development, Line: 9})
}

func TestRequirementsReal(t *testing.T) {
	ps := load(t, "pip/sigstore.requirements.txt", "install/requirements.txt")
	if len(ps) != 32 || count(ps, Runtime) != 32 {
		t.Fatalf("%d packages (%d runtime); want 32, runtime", len(ps), count(ps, Runtime))
	}
	check(t, find(t, ps, "cffi", ""), Package{Ecosystem: Pip, Name: "cffi", Version: "2.1.0", Scope: Runtime, Line: 15})
	check(t, find(t, ps, "cryptography", ""), Package{Ecosystem: Pip, Name: "cryptography", Version: "50.0.0", Scope: Runtime, Line: 212})

	dev := load(t, "pip/requests-dev.requirements.txt", "requirements-dev.txt")
	// "-e .[socks]" is the project itself.
	if len(dev) != 6 || count(dev, Unknown) != 6 {
		t.Fatalf("%d packages (%d unknown); want 6, unknown", len(dev), count(dev, Unknown))
	}
	check(t, dev[0], Package{Ecosystem: Pip, Name: "pytest", Scope: Unknown, Line: 2, Requirement: ">=2.8.0,<10"})
	check(t, dev[2], Package{Ecosystem: Pip, Name: "pytest-httpbin", Version: "2.1.0", Scope: Unknown, Line: 4})
}

func TestCargoLock(t *testing.T) {
	ps := load(t, "cargo/ripgrep.Cargo.lock", "Cargo.lock")
	// 63 [[package]]s, 11 of them ripgrep's own crates (no source).
	if len(ps) != 52 || count(ps, Unknown) != 52 {
		t.Fatalf("%d packages; want 52 of unknown scope", len(ps))
	}
	check(t, ps[0], Package{Ecosystem: Cargo, Name: "aho-corasick", Version: "1.1.5", Scope: Unknown, Line: 5})
	for _, p := range ps {
		if p.Name == "grep" || p.Name == "ripgrep" {
			t.Errorf("workspace crate %s listed", p.Name)
		}
	}
	if got := ps[0].PURL(); got != "pkg:cargo/aho-corasick@1.1.5" {
		t.Errorf("PURL %s", got)
	}
}

func TestCargoTOML(t *testing.T) {
	ps := load(t, "cargo/ripgrep.Cargo.toml", "Cargo.toml")
	if len(ps) != 11 || count(ps, Development) != 3 {
		t.Fatalf("%d packages (%d development); want 11 (3)", len(ps), count(ps, Development))
	}
	check(t, find(t, ps, "textwrap", ""), Package{Ecosystem: Cargo, Name: "textwrap", Scope: Runtime, Line: 67, Requirement: "0.16.0"})
	check(t, find(t, ps, "tikv-jemallocator", ""), Package{Ecosystem: Cargo, Name: "tikv-jemallocator", Scope: Runtime, Line: 69, Requirement: "0.7.0"})
}

func TestPOMCommonsLang(t *testing.T) {
	ps := load(t, "maven/commons-lang.pom.xml", "pom.xml")
	// Seven <dependency>s; the profiles and plugins declare none.
	if len(ps) != 7 || count(ps, Development) != 6 {
		t.Fatalf("%d packages (%d development); want 7 (6)", len(ps), count(ps, Development))
	}
	check(t, ps[0], Package{Ecosystem: Maven, Name: "org.junit.jupiter:junit-jupiter", Scope: Development, Line: 63})
	check(t, ps[2], Package{Ecosystem: Maven, Name: "org.easymock:easymock", Version: "5.6.0", Scope: Development, Line: 73})
	check(t, ps[3], Package{Ecosystem: Maven, Name: "org.mockito:mockito-inline", Scope: Runtime, Line: 79})
	// ${commons.text.version} from <properties>; ${commons.jmh.version}
	// is the parent's, unknown here.
	check(t, ps[4], Package{Ecosystem: Maven, Name: "org.apache.commons:commons-text", Version: "1.15.0", Scope: Development, Line: 84})
	check(t, ps[5], Package{Ecosystem: Maven, Name: "org.openjdk.jmh:jmh-core", Scope: Development, Line: 90, Requirement: "${commons.jmh.version}"})
	if got := ps[4].PURL(); got != "pkg:maven/org.apache.commons/commons-text@1.15.0" {
		t.Errorf("PURL %s", got)
	}
}
