package rules

import (
	"fmt"
	"strings"
)

// licenseIDs reads an SPDX license expression ("MIT", "MIT OR Apache-2.0",
// "(MIT AND BSD-3-Clause)") and returns the license ids it names, in order,
// without repeats. Operators (AND, OR, WITH) are case-insensitive;
// parentheses are optional and must balance.
func licenseIDs(expr string) ([]string, error) {
	expr = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(expr)
	var ids []string
	depth, wantOperand := 0, true
	for _, tok := range strings.Fields(expr) {
		var err error
		switch {
		case tok == "(":
			err = expect(wantOperand, "a license id before \"(\"")
			depth++
		case tok == ")":
			err = expect(!wantOperand && depth > 0, "\")\" without a license id or \"(\" before it")
			depth--
		case isOperator(tok):
			err = expect(!wantOperand, fmt.Sprintf("%q without a license id before it", tok))
			wantOperand = true
		default:
			err = expect(wantOperand, fmt.Sprintf("%q follows a license id without AND or OR", tok))
			if err == nil {
				err = checkID(tok)
			}
			ids, wantOperand = appendNew(ids, tok), false
		}
		if err != nil {
			return nil, err
		}
	}
	if wantOperand || depth != 0 {
		return nil, fmt.Errorf("%q is incomplete", strings.Join(strings.Fields(expr), " "))
	}
	return ids, nil
}

func expect(ok bool, problem string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("unexpected %s", problem)
}

func isOperator(tok string) bool {
	switch strings.ToUpper(tok) {
	case "AND", "OR", "WITH":
		return true
	}
	return false
}

// checkID accepts the characters of SPDX ids and LicenseRef-/DocumentRef-
// references.
func checkID(id string) error {
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-+:", r)
		if !ok {
			return fmt.Errorf("%q is not an SPDX license id", id)
		}
	}
	return nil
}

func appendNew(ids []string, id string) []string {
	for _, x := range ids {
		if sameLicense(x, id) {
			return ids
		}
	}
	return append(ids, id)
}

// sameLicense compares SPDX ids case-insensitively; "-only", "-or-later"
// and "+" name the same license text ("GPL-3.0-only" is "GPL-3.0").
func sameLicense(a, b string) bool { return licenseKey(a) == licenseKey(b) }

func licenseKey(id string) string {
	id = strings.ToLower(id)
	for _, suffix := range []string{"-only", "-or-later", "+"} {
		id = strings.TrimSuffix(id, suffix)
	}
	return id
}
