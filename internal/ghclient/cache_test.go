package ghclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/die-net/lrucache"
	"github.com/gregjones/httpcache"
)

// TestCacheIsolation: installations share one bounded cache but never each
// other's entries, even when GitHub's answer has no Vary header that
// would tell httpcache the token matters.
func TestCacheIsolation(t *testing.T) {
	f := newFakeGitHub(t, "", func(w http.ResponseWriter, r *http.Request) {
		inst := strings.TrimSuffix(strings.TrimPrefix(r.Header.Get("Authorization"), "token ghs_test"), "secret")
		etag := `"v` + inst + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `{"full_name":"o/r-%s"}`, inst)
	})
	cc, err := NewClientCreator(testConfig(f), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		installation int64
		wantIfNone   string
	}{
		{1, ""},
		{2, ""}, // not installation 1's "v1"
		{1, `"v1"`},
		{2, `"v2"`},
	} {
		client, err := cc.NewInstallationClient(step.installation)
		if err != nil {
			t.Fatal(err)
		}
		repo, _, err := client.Repositories.Get(context.Background(), "o", "r")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("o/r-%d", step.installation); repo.GetFullName() != want {
			t.Errorf("installation %d got %q, want %q", step.installation, repo.GetFullName(), want)
		}
		reqs := f.requests()
		last := reqs[len(reqs)-1]
		if got := last.Header.Get("If-None-Match"); got != step.wantIfNone {
			t.Errorf("installation %d sent If-None-Match %q, want %q", step.installation, got, step.wantIfNone)
		}
	}
}

func TestNamespacedCache(t *testing.T) {
	const size = 64 << 10
	shared := lrucache.New(size, 0)
	seq := &namespaceSeq{}
	a := &namespacedCache{shared: shared, prefix: seq.next(), maxEntry: size / 8}
	b := &namespacedCache{shared: shared, prefix: seq.next(), maxEntry: size / 8}
	if a.prefix == b.prefix {
		t.Fatalf("two namespaces share prefix %q", a.prefix)
	}

	for _, tc := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"namespaces do not see each other", func(t *testing.T) {
			a.Set("https://api.github.com/repos/o/r", []byte("A"))
			if v, ok := b.Get("https://api.github.com/repos/o/r"); ok {
				t.Errorf("b sees a's entry %q", v)
			}
			b.Set("https://api.github.com/repos/o/r", []byte("B"))
			if v, _ := a.Get("https://api.github.com/repos/o/r"); string(v) != "A" {
				t.Errorf("a's entry = %q, want A", v)
			}
			b.Delete("https://api.github.com/repos/o/r")
			if _, ok := a.Get("https://api.github.com/repos/o/r"); !ok {
				t.Errorf("b's delete removed a's entry")
			}
		}},
		{"total size stays bounded", func(t *testing.T) {
			value := make([]byte, 1000)
			for i := 0; i < 1000; i++ {
				c := a
				if i%2 == 1 {
					c = b
				}
				c.Set(fmt.Sprintf("https://api.github.com/repos/o/r%d", i), value)
				if s := shared.Size(); s > size {
					t.Fatalf("cache holds %d bytes, bound %d", s, size)
				}
			}
			if _, ok := a.Get("https://api.github.com/repos/o/r0"); ok {
				t.Errorf("the oldest entry survived")
			}
			if _, ok := b.Get("https://api.github.com/repos/o/r999"); !ok {
				t.Errorf("the newest entry is gone")
			}
		}},
		{"an entry over an eighth of the cache is not stored", func(t *testing.T) {
			a.Set("k", []byte("small"))
			a.Set("k", make([]byte, size/8+1))
			if v, ok := a.Get("k"); ok {
				t.Errorf("stored %d bytes, or kept the stale small version %q", len(v), v[:min(len(v), 8)])
			}
		}},
	} {
		t.Run(tc.name, tc.check)
	}
}

// TestETagStoredWhenTheDecoderStopsEarly: go-github's JSON decoder stops
// after the value and closes the body, and httpcache stores a response
// only at its body's EOF. A body whose reader says EOF only on the read
// after the last bytes was then never stored, and the next request was
// counted in full where a 304 would do. The client stack's outermost
// layer (observer) reads a body to its end when it is closed.
func TestETagStoredWhenTheDecoderStopsEarly(t *testing.T) {
	var conditional int
	stub := roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		h := http.Header{"Etag": {`"v1"`}, "Content-Type": {"application/json"}}
		if req.Header.Get("If-None-Match") == `"v1"` {
			conditional++
			return &http.Response{StatusCode: http.StatusNotModified, Header: h, Body: http.NoBody, Request: req}, nil
		}
		body := fmt.Sprintf(`{"full_name":"o/r","description":%q}`, strings.Repeat("x", 10_000))
		return &http.Response{StatusCode: http.StatusOK, Header: h, Body: io.NopCloser(&lateEOF{data: []byte(body)}), Request: req}, nil
	})
	cache := httpcache.NewTransport(httpcache.NewMemoryCache())
	cache.Transport = stub
	rt := (&observer{}).middleware(cache)
	for i := range 3 {
		req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/repos/o/r", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		var repo struct {
			FullName string `json:"full_name"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&repo); err != nil || repo.FullName != "o/r" {
			t.Fatalf("request %d: %+v %v", i, repo, err)
		}
		resp.Body.Close()
	}
	if conditional != 2 {
		t.Fatalf("%d of the 2 repeated requests were conditional (304)", conditional)
	}
}

// lateEOF gives all its data in one read, and io.EOF only on the next.
type lateEOF struct {
	data []byte
	done bool
}

func (l *lateEOF) Read(p []byte) (int, error) {
	if l.done || len(l.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, l.data)
	l.data = l.data[n:]
	if len(l.data) == 0 {
		l.done = true
	}
	return n, nil
}
