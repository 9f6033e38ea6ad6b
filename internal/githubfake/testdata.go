package githubfake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FindTestdata returns the path of rel inside the module's testdata
// directory, found by walking up from the working directory to the
// directory that holds go.mod. rel may start with "testdata/".
func FindTestdata(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	rel = strings.TrimPrefix(filepath.ToSlash(rel), "testdata/")
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "testdata", filepath.FromSlash(rel))
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("githubfake: %w", err)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("githubfake: no go.mod above the working directory")
		}
		dir = parent
	}
}
