package fit

import (
	"fmt"
	"strings"
	"testing"
)

func TestLen(t *testing.T) {
	if got := Body.Len("é€😀"); got != 3 {
		t.Errorf("Body.Len = %d, want 3 characters", got)
	}
	if got := CheckOutput.Len("é€😀"); got != 9 {
		t.Errorf("CheckOutput.Len = %d, want 9 bytes", got)
	}
}

func TestList(t *testing.T) {
	items := make([]string, 400)
	for i := range items {
		items[i] = fmt.Sprintf("- item %03d %s\n", i, strings.Repeat("é", 200))
	}
	for _, l := range []Limit{Body, CheckOutput} {
		got := l.List("head\n", items, "tail\n", "see [all](https://ghe.example/x)")
		if n := l.Len(got); n > l.Max {
			t.Fatalf("%+v: %d over the limit", l, n)
		}
		kept := strings.Count(got, "- item ")
		want := fmt.Sprintf("… and %d more: see [all](https://ghe.example/x)\ntail\n", 400-kept)
		if !strings.HasPrefix(got, "head\n- item 000") || !strings.HasSuffix(got, want) || kept == 0 || kept == 400 {
			t.Errorf("%+v: kept %d, ends %q", l, kept, got[len(got)-80:])
		}
		if l.Len(got) < l.Max-l.Len(items[0])-100 {
			t.Errorf("%+v: %d of %d used, room for another item", l, l.Len(got), l.Max)
		}
	}
	if got := Body.List("h\n", []string{"a\n", "b\n"}, "t\n", "x"); got != "h\na\nb\nt\n" {
		t.Errorf("a list that fits is changed: %q", got)
	}
}

func TestCut(t *testing.T) {
	s := strings.Repeat("word ", 30000) // 150,000 characters
	got := Body.Cut(s, 1000)
	if n := Body.Len(got); n > 1000 || n < 800 {
		t.Fatalf("cut to %d characters", n)
	}
	if !strings.HasSuffix(got, "more characters") || !strings.Contains(got, "word … and ") {
		t.Errorf("cut %q", got[len(got)-60:])
	}
	if got := CheckOutput.Cut(strings.Repeat("😀", 100), 50); CheckOutput.Len(got) > 50 {
		t.Errorf("%d bytes", len(got))
	}
	if Body.Cut("short", 10) != "short" {
		t.Error("short text changed")
	}
}
