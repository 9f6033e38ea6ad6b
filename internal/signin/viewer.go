// Package signin signs OSPO leads in to the dashboard with GitHub's OAuth web flow, keeps their sessions and says which orgs each may see.
package signin

import (
	"context"
	"slices"
	"strings"
)

// Viewer is who is signed in: their GitHub login, the orgs whose dashboard
// they may see (as GitHub spells them), and the token that a form posted
// by them must carry (the sign-out form's CSRF token).
type Viewer struct {
	Login string
	Orgs  []string
	CSRF  string
}

// MaySee reports whether v may see org's dashboard (logins are
// case-insensitive on GitHub).
func (v Viewer) MaySee(org string) bool {
	return slices.ContainsFunc(v.Orgs, func(o string) bool { return strings.EqualFold(o, org) })
}

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer the sign-in middleware put in ctx.
func ViewerFrom(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok
}
