package manifest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func parse(t *testing.T, path, text string) []Package {
	t.Helper()
	ps, err := Parse(path, []byte(text))
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return ps
}

func same(t *testing.T, got, want []Package) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %d:", len(got))
		for _, p := range got {
			t.Errorf("  %+v", p)
		}
		t.Errorf("want %d:", len(want))
		for _, p := range want {
			t.Errorf("  %+v", p)
		}
	}
}

func TestGoModReplace(t *testing.T) {
	got := parse(t, "go.mod", `module example.com/m

go 1.22

require (
	example.com/a v1.0.0
	example.com/b v1.2.0 // indirect
	example.com/local v0.0.0
	example.com/c v1.0.0
)

replace example.com/a => example.com/fork v1.0.1

replace example.com/local => ../local

replace example.com/c v0.9.0 => example.com/other v2.0.0
`)
	same(t, got, []Package{
		{Ecosystem: GoMod, Name: "example.com/fork", Version: "v1.0.1", Scope: Runtime, Line: 12},
		{Ecosystem: GoMod, Name: "example.com/b", Version: "v1.2.0", Scope: Runtime, Line: 7},
		// c's replace names another version than the one required.
		{Ecosystem: GoMod, Name: "example.com/c", Version: "v1.0.0", Scope: Runtime, Line: 9},
	})
}

func TestPackageJSONSpecs(t *testing.T) {
	got := parse(t, "web/package.json", `{
  "name": "x",
  "dependencies": {
    "exact": "1.2.3",
    "eq": "=2.0.0",
    "vee": "v3.0.0-beta.1",
    "range": ">=1 <2",
    "alias": "npm:@scope/real@4.5.6",
    "aliasrange": "npm:other@^1",
    "git": "github:user/repo#abc",
    "tag": "latest"
  },
  "peerDependencies": {"peer": "^1"},
  "optionalDependencies": {"opt": "1.0.0"},
  "devDependencies": {"dev": "0.1.0"},
  "bundleDependencies": ["ignored"]
}`)
	same(t, got, []Package{
		{Ecosystem: NPM, Name: "exact", Version: "1.2.3", Scope: Runtime, Line: 4},
		{Ecosystem: NPM, Name: "eq", Version: "2.0.0", Scope: Runtime, Line: 5},
		{Ecosystem: NPM, Name: "vee", Version: "3.0.0-beta.1", Scope: Runtime, Line: 6},
		{Ecosystem: NPM, Name: "range", Scope: Runtime, Line: 7, Requirement: ">=1 <2"},
		{Ecosystem: NPM, Name: "@scope/real", Version: "4.5.6", Scope: Runtime, Line: 8},
		{Ecosystem: NPM, Name: "other", Scope: Runtime, Line: 9, Requirement: "npm:other@^1"},
		{Ecosystem: NPM, Name: "git", Scope: Runtime, Line: 10, Requirement: "github:user/repo#abc"},
		{Ecosystem: NPM, Name: "tag", Scope: Runtime, Line: 11, Requirement: "latest"},
		{Ecosystem: NPM, Name: "peer", Scope: Runtime, Line: 13, Requirement: "^1"},
		{Ecosystem: NPM, Name: "opt", Version: "1.0.0", Scope: Runtime, Line: 14},
		{Ecosystem: NPM, Name: "dev", Version: "0.1.0", Scope: Development, Line: 15},
	})
}

func TestPackageLockV2Workspaces(t *testing.T) {
	got := parse(t, "package-lock.json", `{
  "lockfileVersion": 2,
  "packages": {
    "": {"name": "root", "workspaces": ["packages/a"]},
    "packages/a": {"name": "a", "version": "1.0.0"},
    "node_modules/a": {"resolved": "packages/a", "link": true},
    "node_modules/left-pad": {"version": "1.3.0", "license": "WTFPL"},
    "node_modules/old": {"version": "0.1.0", "license": {"type": "MIT"}},
    "node_modules/aliased": {"name": "real", "version": "2.0.0", "devOptional": true},
    "node_modules/x/node_modules/@s/y": {"version": "3.0.0", "dev": true}
  },
  "dependencies": {
    "left-pad": {"version": "1.3.0"}
  }
}`)
	same(t, got, []Package{
		{Ecosystem: NPM, Name: "left-pad", Version: "1.3.0", Scope: Runtime, Line: 7, License: "WTFPL"},
		{Ecosystem: NPM, Name: "old", Version: "0.1.0", Scope: Runtime, Line: 8, License: "MIT"},
		{Ecosystem: NPM, Name: "real", Version: "2.0.0", Scope: Development, Line: 9},
		{Ecosystem: NPM, Name: "@s/y", Version: "3.0.0", Scope: Development, Line: 10},
	})
}

func TestPackageLockV1Nested(t *testing.T) {
	got := parse(t, "npm-shrinkwrap.json", `{
  "lockfileVersion": 1,
  "dependencies": {
    "a": {
      "version": "1.0.0",
      "dependencies": {
        "b": {"version": "2.0.0", "dev": true}
      }
    },
    "c": {"dev": true, "version": "npm:d@3.0.0"}
  }
}`)
	same(t, got, []Package{
		{Ecosystem: NPM, Name: "a", Version: "1.0.0", Scope: Runtime, Line: 4},
		{Ecosystem: NPM, Name: "b", Version: "2.0.0", Scope: Development, Line: 7},
		{Ecosystem: NPM, Name: "d", Version: "3.0.0", Scope: Development, Line: 10},
	})
}

func TestRequirementsSyntax(t *testing.T) {
	got := parse(t, "requirements.txt", `# comment
-r base.txt
-c constraints.txt
--index-url https://pypi.example/simple
-e git+https://github.com/u/proj.git@v1#egg=proj
-e .
./local/dir
https://example.com/pkg-1.0.whl
Django==4.2.1  # LTS
requests[security,socks] >= 2.8.1, == 2.8.*  ; python_version < "3.12"
numpy==1.26.0 \
    --hash=sha256:aaaa \
    --hash=sha256:bbbb
pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; os_name == "posix"
zope.interface===5.0
archive @ https://example.com/archive-1.0.tar.gz
Foo_Bar.baz
attrs==23.*

`)
	same(t, got, []Package{
		{Ecosystem: Pip, Name: "proj", Scope: Runtime, Line: 5, Requirement: "git+https://github.com/u/proj.git@v1#egg=proj"},
		{Ecosystem: Pip, Name: "Django", Version: "4.2.1", Scope: Runtime, Line: 9},
		{Ecosystem: Pip, Name: "requests", Scope: Runtime, Line: 10, Requirement: ">= 2.8.1, == 2.8.*"},
		{Ecosystem: Pip, Name: "numpy", Version: "1.26.0", Scope: Runtime, Line: 11},
		{Ecosystem: Pip, Name: "pip", Scope: Runtime, Line: 14, Requirement: "https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee"},
		{Ecosystem: Pip, Name: "zope.interface", Version: "5.0", Scope: Runtime, Line: 15},
		{Ecosystem: Pip, Name: "archive", Scope: Runtime, Line: 16, Requirement: "https://example.com/archive-1.0.tar.gz"},
		{Ecosystem: Pip, Name: "Foo_Bar.baz", Scope: Runtime, Line: 17},
		{Ecosystem: Pip, Name: "attrs", Scope: Runtime, Line: 18, Requirement: "==23.*"},
	})
	if p := got[7].PURL(); p != "pkg:pypi/foo-bar-baz" {
		t.Errorf("PURL %s", p)
	}
}

func TestPyprojectGroups(t *testing.T) {
	got := parse(t, "pyproject.toml", `[project]
name = "x"
dependencies = ["a==1.0", 'b>=2']

[project.optional-dependencies]
extra = ["c"]

[dependency-groups]
dev = [{include-group = "test"}, "d==4"]
test = ["e"]

[tool.poetry.dependencies]
python = "^3.9"
f = "1.2.3"
g = {version = "==2.0", optional = true}
h = {path = "../h"}

[tool.poetry.group.main.dependencies]
i = "^1"

[tool.poetry.group.docs.dependencies]
j = "*"
`)
	same(t, got, []Package{
		{Ecosystem: Pip, Name: "a", Version: "1.0", Scope: Runtime, Line: 3},
		{Ecosystem: Pip, Name: "b", Scope: Runtime, Line: 3, Requirement: ">=2"},
		{Ecosystem: Pip, Name: "c", Scope: Runtime, Line: 6},
		{Ecosystem: Pip, Name: "d", Version: "4", Scope: Development, Line: 9},
		{Ecosystem: Pip, Name: "e", Scope: Development, Line: 10},
		{Ecosystem: Pip, Name: "f", Version: "1.2.3", Scope: Runtime, Line: 14},
		{Ecosystem: Pip, Name: "g", Version: "2.0", Scope: Runtime, Line: 15},
		{Ecosystem: Pip, Name: "h", Scope: Runtime, Line: 16, Requirement: "../h"},
		{Ecosystem: Pip, Name: "i", Scope: Runtime, Line: 19, Requirement: "^1"},
		{Ecosystem: Pip, Name: "j", Scope: Development, Line: 22, Requirement: "*"},
	})
}

func TestPoetryLockGroups(t *testing.T) {
	got := parse(t, "poetry.lock", `[[package]]
name = "a"
version = "1.0"
groups = ["main", "dev"]

[[package]]
name = "b"
version = "2.0"
groups = ["dev"]

[package.dependencies]
a = "*"

[[package]]
name = "c"
version = "3.0"
`)
	same(t, got, []Package{
		{Ecosystem: Pip, Name: "a", Version: "1.0", Scope: Runtime, Line: 1},
		{Ecosystem: Pip, Name: "b", Version: "2.0", Scope: Development, Line: 6},
		{Ecosystem: Pip, Name: "c", Version: "3.0", Scope: Unknown, Line: 14},
	})
}

func TestCargoTOMLForms(t *testing.T) {
	got := parse(t, "Cargo.toml", `[package]
name = "x"

[dependencies]
serde = "=1.0.100"
rand = { version = "0.8", features = ["small_rng"] }
mine = { path = "crates/mine" }
renamed = { package = "real-crate", version = "2" }
fromgit = { git = "https://github.com/u/r" }
shared = { workspace = true }

[build-dependencies]
cc = "1"

[workspace.dependencies]
log = "0.4"
`)
	same(t, got, []Package{
		{Ecosystem: Cargo, Name: "serde", Version: "1.0.100", Scope: Runtime, Line: 5},
		{Ecosystem: Cargo, Name: "rand", Scope: Runtime, Line: 6, Requirement: "0.8"},
		{Ecosystem: Cargo, Name: "real-crate", Scope: Runtime, Line: 8, Requirement: "2"},
		{Ecosystem: Cargo, Name: "fromgit", Scope: Runtime, Line: 9, Requirement: "https://github.com/u/r"},
		{Ecosystem: Cargo, Name: "shared", Scope: Runtime, Line: 10, Requirement: "workspace"},
		{Ecosystem: Cargo, Name: "cc", Scope: Development, Line: 13, Requirement: "1"},
		{Ecosystem: Cargo, Name: "log", Scope: Unknown, Line: 16, Requirement: "0.4"},
	})
}

func TestPOMProperties(t *testing.T) {
	got := parse(t, "pom.xml", `<?xml version="1.0" encoding="ISO-8859-1"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.ex</groupId><version>7</version></parent>
  <artifactId>app</artifactId>
  <properties>
    <lib.version>${base.version}.1</lib.version>
    <base.version>2.3</base.version>
    <loop>${loop}</loop>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>org.ex</groupId><artifactId>managed</artifactId><version>9.9</version></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.ex</groupId>
      <artifactId>lib</artifactId>
      <version>${lib.version}</version>
      <exclusions><exclusion><groupId>no</groupId><artifactId>no</artifactId></exclusion></exclusions>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>sibling</artifactId>
      <version>${project.version}</version>
      <scope>provided</scope>
    </dependency>
    <dependency><groupId>org.ex</groupId><artifactId>managed</artifactId></dependency>
    <dependency><groupId>org.ex</groupId><artifactId>ranged</artifactId><version>[1.0,2.0)</version></dependency>
    <dependency><groupId>org.ex</groupId><artifactId>loopy</artifactId><version>${loop}</version><scope>test</scope></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>p</artifactId><dependencies>
    <dependency><groupId>org.ex</groupId><artifactId>plugin-dep</artifactId><version>1</version></dependency>
  </dependencies></plugin></plugins></build>
  <profiles><profile><dependencies>
    <dependency><groupId>org.ex</groupId><artifactId>in-profile</artifactId><version>5</version></dependency>
  </dependencies></profile></profiles>
</project>
`)
	same(t, got, []Package{
		{Ecosystem: Maven, Name: "org.ex:lib", Version: "2.3.1", Scope: Runtime, Line: 16},
		{Ecosystem: Maven, Name: "org.ex:sibling", Version: "7", Scope: Development, Line: 22},
		{Ecosystem: Maven, Name: "org.ex:managed", Version: "9.9", Scope: Runtime, Line: 28},
		{Ecosystem: Maven, Name: "org.ex:ranged", Scope: Runtime, Line: 29, Requirement: "[1.0,2.0)"},
		{Ecosystem: Maven, Name: "org.ex:loopy", Scope: Development, Line: 30, Requirement: "${loop}"},
		{Ecosystem: Maven, Name: "org.ex:in-profile", Version: "5", Scope: Runtime, Line: 36},
	})
}

func TestErrorsNameFileAndLine(t *testing.T) {
	for _, c := range []struct {
		path, text string
		line       int
		says       string
	}{
		{"svc/go.mod", "module m\n\nrequire (\n\texample.com/a 1.0.0\n)\n", 4, "version"},
		{"svc/go.mod", "module m\nrequire example.com/a v1.0.0\nbogus line here\n", 3, "unknown directive"},
		{"web/package.json", "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": 2\n  }\n}", 4, `the version of "b" is a number, want a string`},
		{"web/package.json", "{\n  \"dependencies\": [\"a\"]\n}", 2, `"dependencies" is an array, want an object`},
		{"web/package.json", "{\n  \"dependencies\": {\n    \"a\": \"1\",,\n  }\n}", 3, "invalid JSON"},
		{"web/package.json", "{\n\"devDependencies\": {\n\"\": \"1\"}}", 3, "a dependency without a name"},
		{"Cargo.toml", "[dependencies]\n\"\" = \"1\"\n", 2, "a dependency without a name"},
		{"web/package.json", "{}\n{}", 2, "after top-level value"},
		{"web/package.json", "{\n \"dependencies\": {\n  \"a\": \"1\",\n  \"b\": \"bad\\q\"\n }\n}", 4, "in string escape code"},
		{"package-lock.json", "{\n \"packages\": {\n  \"node_modules/a\": {\"version\": \"1\"},\n  \"node_modules/b\": {\"version\": \"1\" \"x\"}\n }\n}", 4, "invalid JSON"},
		{"package-lock.json", "{\n \"packages\": {\n  \"node_modules/a\": {\"version\": \"1\"},\n  \"node_modules/b\": {\n \"version\": \"1\", \"dev\": 5}\n }\n}", 5, `"dev" is a JSON number, want bool`},
		{"package-lock.json", "{\n  \"packages\": {\n    \"node_modules/a\": {\"version\": 1}\n  }\n}", 3, `"version" is a JSON number, want string`},
		{"package-lock.json", "{\n  \"packages\": {\n", 2, "unexpected end"},
		{"requirements.txt", "ok==1\n\n!!! not a requirement\n", 3, `cannot read the requirement "!!! not a requirement"`},
		{"requirements.txt", "a[extra\n", 1, "cannot read the requirement"},
		{"pyproject.toml", "[project]\ndependencies = [\n  \"a\",\n  \"=b\",\n]\n", 4, `cannot read the requirement "=b"`},
		{"pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\"a\"\n", 3, "invalid TOML"},
		{"pyproject.toml", "[project]\ndependencies = \"a\"\n", 2, "invalid TOML"},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n\n[[package]]\nversion = \"1\"\n", 5, "without a name or version"},
		{"Cargo.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\nsource = \"x\"\nname = \"b\"\n", 5, "invalid TOML"},
		{"pom.xml", "<project>\n<dependencies>\n<dependency><groupId>g</groupId></dependency>\n</dependencies>\n</project>\n", 3, "without an <artifactId>"},
		{"pom.xml", "<project>\n<dependencies>\n<dependency>\n</dependencies>\n</project>\n", 4, "invalid XML"},
		{"pom.xml", "<?xml version=\"1.0\" encoding=\"EBCDIC\"?>\n<project/>", 1, "unsupported encoding"},
	} {
		_, err := Parse(c.path, []byte(c.text))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s %q: error %v, want an *Error", c.path, c.text, err)
			continue
		}
		if e.Path != c.path || e.Line != c.line || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s %q:\n got %q (line %d)\nwant line %d, saying %q", c.path, c.text, err, e.Line, c.line, c.says)
		}
		if !strings.HasPrefix(err.Error(), c.path+":") {
			t.Errorf("%q does not start with the file", err)
		}
	}
	if _, err := Parse("README.md", []byte("x")); err == nil {
		t.Error("README.md parsed")
	}
}

func TestPURL(t *testing.T) {
	for _, c := range []struct {
		p    Package
		want string
	}{
		{Package{Ecosystem: NPM, Name: "@scope/name", Version: "1.0.0"}, "pkg:npm/%40scope/name@1.0.0"},
		{Package{Ecosystem: NPM, Name: "left-pad"}, "pkg:npm/left-pad"},
		{Package{Ecosystem: GoMod, Name: "github.com/x/y", Version: "v1.2.3"}, "pkg:golang/github.com/x/y@v1.2.3"},
		{Package{Ecosystem: GoMod, Name: "github.com/docker/docker", Version: "v20.10.7+incompatible"}, "pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible"},
		{Package{Ecosystem: Pip, Name: "Zope.Interface__x", Version: "1.0"}, "pkg:pypi/zope-interface-x@1.0"},
		{Package{Ecosystem: Cargo, Name: "serde", Version: "1.0"}, "pkg:cargo/serde@1.0"},
		{Package{Ecosystem: Maven, Name: "org.apache.commons:commons-lang3", Version: "3.14.0"}, "pkg:maven/org.apache.commons/commons-lang3@3.14.0"},
		{Package{Ecosystem: NPM, Name: "a b?#@", Version: "1 2"}, "pkg:npm/a%20b%3F%23%40@1%202"},
	} {
		if got := c.p.PURL(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.p, got, c.want)
		}
	}
}

func TestRecognisedAndCompanion(t *testing.T) {
	for path, want := range map[string]bool{
		"go.mod": true, "a/b/go.mod": true, "web/package.json": true, "package-lock.json": true,
		"npm-shrinkwrap.json": true, "requirements.txt": true, "requirements-dev.txt": true,
		"requirements/test.txt": true, "dev-requirements.txt": true, "pyproject.toml": true,
		"poetry.lock": true, "Cargo.lock": true, "Cargo.toml": true, "pom.xml": true,
		"go.sum": false, "README.md": false, "notes.txt": false, "package.json5": false,
		"yarn.lock": false, "mygo.mod": false, "": false,
	} {
		if got := Recognised(path); got != want {
			t.Errorf("Recognised(%q) = %v", path, got)
		}
	}
	for path, want := range map[string]string{
		"web/package.json":      "web/package-lock.json",
		"web/package-lock.json": "web/package.json",
		"npm-shrinkwrap.json":   "package.json",
		"Cargo.lock":            "Cargo.toml",
		"crates/x/Cargo.toml":   "crates/x/Cargo.lock",
		"poetry.lock":           "pyproject.toml",
		"py/pyproject.toml":     "py/poetry.lock",
		"go.mod":                "",
		"requirements.txt":      "",
		"pom.xml":               "",
	} {
		if got := Companion(path); got != want {
			t.Errorf("Companion(%q) = %q, want %q", path, got, want)
		}
		if got := Companion(path); got != "" && !Recognised(got) {
			t.Errorf("Companion(%q) = %q, not recognised", path, got)
		}
	}
}

func TestChanges(t *testing.T) {
	base := []Package{
		{Ecosystem: NPM, Name: "kept", Version: "1.0.0", Scope: Runtime},
		{Ecosystem: NPM, Name: "bumped", Version: "1.0.0"},
		{Ecosystem: NPM, Name: "twice", Version: "1.0.0"},
		{Ecosystem: NPM, Name: "twice", Version: "2.0.0"},
		{Ecosystem: NPM, Name: "removed", Version: "1.0.0"},
		{Ecosystem: Pip, Name: "Foo_Bar", Requirement: ">=1"},
		{Ecosystem: Pip, Name: "ranged", Requirement: ">=1"},
		{Ecosystem: Cargo, Name: "kept", Version: "9"},
	}
	head := []Package{
		{Ecosystem: NPM, Name: "new", Version: "0.1.0", Line: 3},
		{Ecosystem: NPM, Name: "kept", Version: "1.0.0", Scope: Development},
		{Ecosystem: NPM, Name: "bumped", Version: "1.1.0", Line: 5},
		{Ecosystem: NPM, Name: "twice", Version: "1.0.0"},
		{Ecosystem: NPM, Name: "twice", Version: "3.0.0", Line: 7},
		{Ecosystem: NPM, Name: "twice", Version: "3.0.0", Line: 8},
		{Ecosystem: Pip, Name: "foo-bar", Version: "1.5"},
		{Ecosystem: Pip, Name: "ranged", Requirement: ">=2"},
		{Ecosystem: GoMod, Name: "kept", Version: "9"},
	}
	got := Changes(base, head)
	want := []Change{
		{Package: head[0]},
		{Package: head[2], Previous: "1.0.0"},
		{Package: head[4], Previous: "2.0.0"},
		{Package: head[6], Previous: ">=1"},
		{Package: head[8]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := Changes(head, head); len(got) != 0 {
		t.Errorf("no change gave %+v", got)
	}
	if got := Changes(nil, head[:1]); len(got) != 1 || got[0].Previous != "" {
		t.Errorf("all added gave %+v", got)
	}
}

func TestChangesRealLockUpgrade(t *testing.T) {
	// actions/checkout's lock of 2019 (v1) against today's (v3).
	base := load(t, "npm/checkout-v1.package-lock.json", "package-lock.json")
	head := load(t, "npm/checkout-v3.package-lock.json", "package-lock.json")
	ch := Changes(base, head)
	var core *Change
	for i := range ch {
		if ch[i].Name == "@actions/core" {
			core = &ch[i]
		}
	}
	if core == nil || core.Version != "3.0.1" || core.Previous != "1.1.3" || core.Line != 47 {
		t.Fatalf("@actions/core change: %+v", core)
	}
	if len(Changes(head, head)) != 0 {
		t.Error("a lock against itself changes")
	}
}

func TestBOMAndCRLF(t *testing.T) {
	same(t, parse(t, "package.json", "\xef\xbb\xbf{\r\n  \"dependencies\": {\r\n    \"a\": \"1.0.0\"\r\n  }\r\n}\r\n"),
		[]Package{{Ecosystem: NPM, Name: "a", Version: "1.0.0", Scope: Runtime, Line: 3}})
	same(t, parse(t, "requirements.txt", "\xef\xbb\xbfa==1 \\\r\n  --hash=sha256:00\r\nb>=2\r\n"),
		[]Package{{Ecosystem: Pip, Name: "a", Version: "1", Scope: Runtime, Line: 1}, {Ecosystem: Pip, Name: "b", Scope: Runtime, Line: 3, Requirement: ">=2"}})
	same(t, parse(t, "Cargo.lock", "\xef\xbb\xbf[[package]]\r\nname = \"a\"\r\nversion = \"1.0.0\"\r\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\r\n"),
		[]Package{{Ecosystem: Cargo, Name: "a", Version: "1.0.0", Scope: Unknown, Line: 1}})
}
