package ghclient

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-github/v66/github"
)

// fakePages serves pages (page n is pages[n-1]; page 0 means 1) with
// next[n-1] as its NextPage, fails page failAt with errPage, and records
// every page requested and the PerPage asked for.
type fakePages struct {
	pages     [][]int
	next      []int
	failAt    int
	requested []int
	perPage   []int
}

var errPage = errors.New("boom")

func (f *fakePages) page(opts *github.ListOptions) ([]int, *github.Response, error) {
	n := max(opts.Page, 1)
	f.requested = append(f.requested, n)
	f.perPage = append(f.perPage, opts.PerPage)
	if n == f.failAt {
		return nil, nil, errPage
	}
	return f.pages[n-1], &github.Response{NextPage: f.next[n-1]}, nil
}

func threePages() *fakePages {
	return &fakePages{pages: [][]int{{1, 2}, {3, 4}, {5}}, next: []int{2, 3, 0}}
}

func TestAllReadsEveryPageInOrder(t *testing.T) {
	f := threePages()
	got, err := All(&github.ListOptions{PerPage: 2}, f.page)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
	if want := []int{1, 2, 3}; !slices.Equal(f.requested, want) {
		t.Errorf("requested pages %v, want %v", f.requested, want)
	}
	if want := []int{2, 2, 2}; !slices.Equal(f.perPage, want) {
		t.Errorf("per_page %v, want %v (kept on every page)", f.perPage, want)
	}
}

func TestAllStartsAtTheGivenPage(t *testing.T) {
	f := threePages()
	got, err := All(&github.ListOptions{Page: 2}, f.page)
	if err != nil || !slices.Equal(got, []int{3, 4, 5}) || !slices.Equal(f.requested, []int{2, 3}) {
		t.Errorf("All from page 2 = %v, %v after pages %v", got, err, f.requested)
	}
}

func TestAllStopsAtTheFirstError(t *testing.T) {
	f := threePages()
	f.failAt = 2
	got, err := All(&github.ListOptions{}, f.page)
	if !errors.Is(err, errPage) {
		t.Fatalf("err = %v, want page 2's error", err)
	}
	if got != nil {
		t.Errorf("items = %v, want none with the error", got)
	}
	if want := []int{1, 2}; !slices.Equal(f.requested, want) {
		t.Errorf("requested pages %v, want %v: nothing after the failing page", f.requested, want)
	}
}

func TestAZeroNextPageEnds(t *testing.T) {
	f := threePages()
	f.next[1] = 0 // page 2 says it is the last, though page 3 exists
	got, err := All(&github.ListOptions{}, f.page)
	if err != nil || !slices.Equal(got, []int{1, 2, 3, 4}) || !slices.Equal(f.requested, []int{1, 2}) {
		t.Errorf("All = %v, %v after pages %v; want [1 2 3 4] after [1 2]", got, err, f.requested)
	}
	f = &fakePages{pages: [][]int{{}}, next: []int{0}}
	got, err = All(&github.ListOptions{}, f.page)
	if err != nil || len(got) != 0 || len(f.requested) != 1 {
		t.Errorf("empty list: All = %v, %v after pages %v", got, err, f.requested)
	}
}

func TestEachStopsRequestingWhenAsked(t *testing.T) {
	f := threePages()
	var seen []int
	err := Each(&github.ListOptions{}, f.page, func(n int) bool {
		seen = append(seen, n)
		return n == 3
	})
	if err != nil || !slices.Equal(seen, []int{1, 2, 3}) {
		t.Errorf("Each saw %v, %v; want [1 2 3]: nothing after the stop", seen, err)
	}
	if want := []int{1, 2}; !slices.Equal(f.requested, want) {
		t.Errorf("requested pages %v, want %v", f.requested, want)
	}
}

func TestFirst(t *testing.T) {
	f := threePages()
	got, err := First(&github.ListOptions{}, f.page, func(n int) bool { return n%2 == 0 && n > 2 })
	if err != nil || got != 4 || !slices.Equal(f.requested, []int{1, 2}) {
		t.Errorf("First = %v, %v after pages %v; want 4 after [1 2]", got, err, f.requested)
	}
	f = threePages()
	got, err = First(&github.ListOptions{}, f.page, func(n int) bool { return n > 9 })
	if err != nil || got != 0 || !slices.Equal(f.requested, []int{1, 2, 3}) {
		t.Errorf("First without a match = %v, %v after pages %v; want 0 after every page", got, err, f.requested)
	}
	f = threePages()
	f.failAt = 2
	if _, err := First(&github.ListOptions{}, f.page, func(int) bool { return false }); !errors.Is(err, errPage) {
		t.Errorf("First's err = %v, want page 2's", err)
	}
}
