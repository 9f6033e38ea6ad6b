package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDeclaredLicenseRealManifests reads the licence real projects'
// manifests declare (testdata/manifests/declared/README.md names them).
func TestDeclaredLicenseRealManifests(t *testing.T) {
	for _, tc := range []struct {
		file, as string // as: the name the file has in its repository
		expr     string
		line     int
		ok       bool
	}{
		{"express-package.json", "package.json", "MIT", 15, true},
		{"streamsearch-package.json", "package.json", "MIT", 8, true},
		{"serde-Cargo.toml", "Cargo.toml", "MIT OR Apache-2.0", 5, true},
		{"kornia-rs-Cargo.toml", "Cargo.toml", "", 0, false}, // license-file: a file, no expression
		{"poetry-pyproject.toml", "pyproject.toml", "MIT", 8, true},
		{"pip-pyproject.toml", "pyproject.toml", "MIT", 7, true},
		{"flask-pyproject.toml", "pyproject.toml", "BSD-3-Clause", 6, true},
		{"packaging-pyproject.toml", "pyproject.toml", "", 0, false},
		{"javawriter-pom.xml", "pom.xml", "Apache-2.0", 42, true},
		{"junit4-pom.xml", "pom.xml", "EPL-1.0", 20, true},
		{"pytest-setup.cfg", "setup.cfg", "MIT", 8, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", "declared", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			expr, line, ok, err := DeclaredLicense(tc.as, data)
			if err != nil {
				t.Fatal(err)
			}
			if expr != tc.expr || line != tc.line || ok != tc.ok {
				t.Errorf("DeclaredLicense = %q, line %d, %v; want %q, line %d, %v", expr, line, ok, tc.expr, tc.line, tc.ok)
			}
		})
	}
}

// TestDeclaredLicenseForms: the other spellings each manifest format has
// had, and what is not an expression.
func TestDeclaredLicenseForms(t *testing.T) {
	for _, tc := range []struct {
		name, path, data string
		expr             string
		line             int
		ok               bool
	}{
		{"npm object", "package.json", "{\n \"name\": \"x\",\n \"license\": {\"type\": \"ISC\", \"url\": \"https://x\"}\n}", "ISC", 3, true},
		{"npm legacy array of two", "package.json", `{"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}`, "MIT OR Apache-2.0", 1, true},
		{"npm legacy strings", "package.json", `{"licenses": ["MIT", "GPL-2.0-only"]}`, "MIT OR GPL-2.0-only", 1, true},
		{"npm legacy expression entries", "package.json", `{"licenses": [{"type": "MIT AND ISC"}, {"type": "Apache-2.0"}]}`, "(MIT AND ISC) OR Apache-2.0", 1, true},
		{"npm see license in", "package.json", `{"license": "SEE LICENSE IN LICENSE.txt"}`, "", 0, false},
		{"npm unlicensed", "package.json", `{"license": "UNLICENSED"}`, "UNLICENSED", 1, true},
		{"npm nested license is not the package's", "package.json", `{"name": "x", "config": {"license": "GPL-3.0"}}`, "", 0, false},
		{"npm license wins over licenses", "package.json", `{"licenses": [{"type": "MIT"}], "license": "ISC"}`, "ISC", 1, true},
		{"npm private package", "package.json", "{\n \"private\": true,\n \"license\": \"ISC\"\n}", "", 0, false},
		{"npm private false", "package.json", `{"private": false, "license": "ISC"}`, "ISC", 1, true},
		{"npm empty", "package.json", `{"license": ""}`, "", 0, false},
		{"npm name mapped", "package.json", `{"license": "Apache 2.0"}`, "Apache-2.0", 1, true},
		{"cargo slash", "Cargo.toml", "[package]\nname = \"x\"\nlicense = \"MIT/Apache-2.0\"\n", "MIT OR Apache-2.0", 3, true},
		{"cargo workspace inherited", "Cargo.toml", "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nlicense = \"Apache-2.0\"\n\n[package]\nname = \"x\"\nlicense.workspace = true\n", "Apache-2.0", 5, true},
		{"cargo virtual workspace", "Cargo.toml", "[workspace]\nmembers = [\"a\"]\n[workspace.package]\nversion = \"1.0.0\"\nlicense = \"MIT OR Apache-2.0\"\n", "MIT OR Apache-2.0", 5, true},
		{"cargo no license", "Cargo.toml", "[package]\nname = \"x\"\n", "", 0, false},
		{"pyproject file table", "pyproject.toml", "[project]\nname = \"x\"\nlicense = {file = \"LICENSE\"}\n", "", 0, false},
		{"pyproject text is a name", "pyproject.toml", "[project]\nname = \"x\"\nlicense = { text = \"Apache Software License\" }\n", "Apache-2.0", 3, true},
		{"pyproject multi-line table", "pyproject.toml", "[project]\nname = \"x\"\n\n[project.license]\ntext = \"MIT\"\n", "MIT", 5, true},
		{"pyproject project wins over poetry", "pyproject.toml", "[project]\nlicense = \"MIT\"\n[tool.poetry]\nlicense = \"GPL-3.0-only\"\n", "MIT", 2, true},
		{"pom several: any of them", "pom.xml", "<project>\n<licenses>\n<license><name>MIT License</name></license>\n<license>\n<name>The Apache Software License, Version 2.0</name>\n</license>\n</licenses>\n</project>", "MIT OR Apache-2.0", 3, true},
		{"pom unknown name kept", "pom.xml", "<project><licenses><license><name>Acme Corporate Licence</name></license></licenses></project>", "Acme Corporate Licence", 1, true},
		{"pom url only", "pom.xml", "<project><licenses><license><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses></project>", "Apache-2.0", 1, true},
		{"pom dependency licences are not the project's", "pom.xml", "<project><build><plugins><plugin><configuration><licenses><license><name>GPL</name></license></licenses></configuration></plugin></plugins></build></project>", "", 0, false},
		{"pom namespace", "pom.xml", `<project xmlns="http://maven.apache.org/POM/4.0.0"><licenses><license><name>Apache-2.0</name></license></licenses></project>`, "Apache-2.0", 1, true},
		{"setup.cfg name", "setup.cfg", "[metadata]\nname = x\nlicense = Apache License 2.0\n", "Apache-2.0", 3, true},
		{"setup.cfg other section", "setup.cfg", "[options]\nlicense = MIT\n", "", 0, false},
		{"setup.cfg colon", "setup.cfg", "[metadata]\nlicense: BSD-3-Clause\n", "BSD-3-Clause", 2, true},
		{"gemspec", "acme.gemspec", "Gem::Specification.new do |spec|\n  spec.name = \"acme\"\n  spec.license = \"MIT\"\nend\n", "MIT", 3, true},
		{"gemspec licenses", "acme.gemspec", "Gem::Specification.new do |s|\n  s.licenses = ['MIT', 'Ruby']\nend\n", "MIT OR Ruby", 2, true},
		{"another file", "README.md", "license: MIT", "", 0, false},
		{"in a directory", "sub/package.json", `{"license": "MIT"}`, "MIT", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expr, line, ok, err := DeclaredLicense(tc.path, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if expr != tc.expr || line != tc.line || ok != tc.ok {
				t.Errorf("DeclaredLicense = %q, line %d, %v; want %q, line %d, %v", expr, line, ok, tc.expr, tc.line, tc.ok)
			}
		})
	}
}

// TestDeclaredLicenseUnreadable: a manifest that does not parse is an
// error, never "declares nothing".
func TestDeclaredLicenseUnreadable(t *testing.T) {
	for _, tc := range []struct{ path, data string }{
		{"package.json", `{"license": "MIT",`},
		{"package.json", `["not", "an", "object"]`},
		{"package.json", `{"license": 3}`},
		{"Cargo.toml", "[package\nlicense = \"MIT\""},
		{"Cargo.toml", "[package]\nlicense = 3\n"},
		{"pyproject.toml", "[project]\nlicense = [\"MIT\"]\n"},
		{"pom.xml", "<project><licenses><license><name>MIT</name></licenses></project>"},
	} {
		if expr, _, ok, err := DeclaredLicense(tc.path, []byte(tc.data)); err == nil {
			t.Errorf("%s %q: got %q, %v and no error", tc.path, tc.data, expr, ok)
		}
	}
}

func TestDeclLicenseName(t *testing.T) {
	for in, want := range map[string]string{
		"MIT":                         "MIT",
		"The MIT License (MIT)":       "MIT",
		"Apache License, Version 2.0": "Apache-2.0",
		"BSD 3-Clause \"New\" or \"Revised\" License":     "BSD-3-Clause",
		"GNU General Public License v3 (GPLv3)":           "GPL-3.0-only",
		"GNU Lesser General Public License v2.1 or later": "LGPL-2.1-or-later",
		"Eclipse Public License - v 2.0":                  "EPL-2.0",
		"BSD":                                             "BSD", // which BSD? left as written
		"GPL-2.0+":                                        "GPL-2.0+",
	} {
		if got := declLicenseName(in); got != want {
			t.Errorf("declLicenseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDeclaredLicense: no manifest text panics, and a declaration found
// has a line inside the file.
func FuzzDeclaredLicense(f *testing.F) {
	names := []string{"package.json", "Cargo.toml", "pyproject.toml", "pom.xml", "setup.cfg", "x.gemspec"}
	entries, _ := os.ReadDir(filepath.Join("..", "..", "testdata", "manifests", "declared"))
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "manifests", "declared", e.Name()))
		if err == nil {
			for i := range names {
				f.Add(uint8(i), data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		expr, line, ok, err := DeclaredLicense(name, data)
		if err != nil && ok {
			t.Fatalf("%s: ok with an error %v", name, err)
		}
		if ok && (expr == "" || line < 0 || line > bytes.Count(data, []byte("\n"))+1) {
			t.Fatalf("%s: %q at line %d of a %d-line file", name, expr, line, bytes.Count(data, []byte("\n"))+1)
		}
	})
}
