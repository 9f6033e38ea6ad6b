package ghclient

import "github.com/google/go-github/v66/github"

// A Page requests one page of a list endpoint: the page opts names, with
// opts.PerPage items. It returns that page's items and GitHub's response,
// whose NextPage (0 on the last page) says which page comes next.
type Page[T any] func(opts *github.ListOptions) ([]T, *github.Response, error)

// Each walks a list endpoint from opts.Page on, one request a page, and
// calls each on every item in order. It stops after a page whose response
// has no next page, as soon as each returns true (no further page is
// requested), or at page's first error, which it returns as is. Between
// requests it sets opts.Page to the next page.
func Each[T any](opts *github.ListOptions, page Page[T], each func(T) (stop bool)) error {
	for {
		items, resp, err := page(opts)
		if err != nil {
			return err
		}
		for _, it := range items {
			if each(it) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			return nil
		}
		opts.Page = resp.NextPage
	}
}

// All is every item of every page, in order, or nil and page's first
// error (see Each).
func All[T any](opts *github.ListOptions, page Page[T]) ([]T, error) {
	var out []T
	if err := Each(opts, page, func(it T) bool { out = append(out, it); return false }); err != nil {
		return nil, err
	}
	return out, nil
}

// First is the first item match accepts, and the zero T when no page has
// one; it requests no page after the one holding the match (see Each).
func First[T any](opts *github.ListOptions, page Page[T], match func(T) bool) (T, error) {
	var found T
	err := Each(opts, page, func(it T) bool {
		if match(it) {
			found = it
			return true
		}
		return false
	})
	return found, err
}
