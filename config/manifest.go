// Package config carries into the binary the files of this directory it needs: the GitHub App manifest.
package config

import _ "embed"

// AppManifest is app.yml, the GitHub App manifest `ospo-bot register` posts.
//
//go:embed app.yml
var AppManifest []byte
