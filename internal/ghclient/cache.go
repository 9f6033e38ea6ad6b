package ghclient

import (
	"strconv"
	"sync/atomic"

	"github.com/die-net/lrucache"
)

// namespacedCache is one client's view of the shared, byte-bounded ETag
// cache: it implements httpcache.Cache by prefixing every key with the
// client's namespace, so no client ever reads another's entries.
type namespacedCache struct {
	shared   *lrucache.LruCache
	prefix   string
	maxEntry int64 // larger responses are not stored
}

func (c *namespacedCache) Get(key string) ([]byte, bool) {
	return c.shared.Get(c.prefix + key)
}

func (c *namespacedCache) Set(key string, value []byte) {
	if int64(len(value)) > c.maxEntry {
		// Drop any older version too: it would only make GitHub send
		// the new, equally large, body again.
		c.shared.Delete(c.prefix + key)
		return
	}
	c.shared.Set(c.prefix+key, value)
}

func (c *namespacedCache) Delete(key string) {
	c.shared.Delete(c.prefix + key)
}

// namespaceSeq hands out unique cache namespaces.
type namespaceSeq struct{ n atomic.Uint64 }

func (s *namespaceSeq) next() string {
	return strconv.FormatUint(s.n.Add(1), 36) + " "
}
