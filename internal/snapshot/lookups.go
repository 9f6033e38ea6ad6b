package snapshot

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// DefaultLookupBudget is how many per-identity lookups one check makes at
// most: a user lookup (GET /users/{login}, for an old-style noreply
// address) or an org membership lookup (GET /orgs/{org}/members/{login},
// for the CLA's allow.orgs), cached or not. The identities come from
// commit text that the pull request's author writes, so without a bound
// 250 commits naming 250 people would cost hundreds of calls on every
// push. Most pull requests need none: commit authors GitHub links, ID+login
// noreply co-authors and signatures cost no lookup, and only people who
// have not signed are checked for membership. 25 covers a pull request
// with 25 such identities, more than ordinary pull requests have.
const DefaultLookupBudget = 25

// Cache defaults: answers are kept for minutes, so that the next check of
// a pull request (a push, a recheck) asks GitHub nothing it just asked,
// while a membership GitHub withdraws stops counting within the TTL.
const (
	DefaultLookupCacheSize = 10000
	DefaultLookupCacheTTL  = 5 * time.Minute
)

// Lookups makes one check's per-identity lookups, within its budget: each
// login (or login and org) costs one lookup, answered by the cache when it
// can and by GitHub otherwise. A login that does not fit is not looked up:
// it is listed in Skipped, and the rules fail closed for it (see
// rules.PullRequest.Unverified).
type Lookups struct {
	client       *github.Client
	installation int64
	cache        *LookupCache // nil: none
	budget, used int
	skipped      []string
}

// NewLookups starts a check's lookups for an installation; cache may be nil.
func NewLookups(client *github.Client, installationID int64, cache *LookupCache, budget int) *Lookups {
	return &Lookups{client: client, installation: installationID, cache: cache, budget: max(budget, 0)}
}

// Budget is the most lookups the check makes.
func (l *Lookups) Budget() int { return l.budget }

// Skipped lists, lower case and once each, the logins that were not
// looked up because the budget was spent.
func (l *Lookups) Skipped() []string { return l.skipped }

func (l *Lookups) skip(login string) {
	login = strings.ToLower(login)
	for _, s := range l.skipped {
		if s == login {
			return
		}
	}
	l.skipped = append(l.skipped, login)
}

// take spends n lookups, or none and false when fewer than n are left.
func (l *Lookups) take(n int) bool {
	if l.used+n > l.budget {
		return false
	}
	l.used += n
	return true
}

type userAnswer struct {
	account rules.Account
	found   bool
}

// Users looks up the accounts of logins (GET /users/{login}, 1 lookup
// each), for the old-style noreply addresses login@users.noreply.github.com
// that accounts made before 18 July 2017 commit with
// (https://docs.github.com/en/account-and-profile/setting-up-and-managing-your-personal-account-on-github/managing-email-preferences/setting-your-commit-email-address).
// The result is keyed by the login as asked. A login GitHub does not know
// (404), or that is an organization (which cannot author a commit), is
// left out; any other error is returned, so the job retries rather than
// calling a person unknown. Logins past the budget are skipped.
func (l *Lookups) Users(ctx context.Context, logins []string) (map[string]rules.Account, error) {
	out := map[string]rules.Account{}
	for _, login := range logins {
		if !l.take(1) {
			l.skip(login)
			continue
		}
		key := fmt.Sprintf("%d\x00user\x00%s", l.installation, strings.ToLower(login))
		if v, ok := l.cache.get(key); ok {
			if a := v.(userAnswer); a.found {
				out[login] = a.account
			}
			continue
		}
		u, _, err := l.client.Users.Get(ctx, login)
		var a userAnswer
		switch {
		case ghclient.Status(err) == http.StatusNotFound:
		case err != nil:
			return nil, fmt.Errorf("look up user %s: %w", login, err)
		case u.GetID() <= 0 || u.GetType() == "Organization":
		default:
			a = userAnswer{account: account(u), found: true}
			out[login] = a.account
		}
		l.cache.put(key, a)
	}
	return out, nil
}

// OrgMembers asks GitHub which of logins are members of each org (public
// or private, as the app's Members permission sees them): 1 lookup a
// pair. A login whose lookups in every org do not fit the budget is
// skipped whole.
func (l *Lookups) OrgMembers(ctx context.Context, orgs, logins []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(orgs) == 0 {
		return out, nil
	}
	for _, login := range logins {
		if !l.take(len(orgs)) {
			l.skip(login)
			continue
		}
		for _, org := range orgs {
			key := fmt.Sprintf("%d\x00member\x00%s\x00%s", l.installation, strings.ToLower(org), strings.ToLower(login))
			member, ok := false, false
			if v, hit := l.cache.get(key); hit {
				member, ok = v.(bool), true
			}
			if !ok {
				m, _, err := l.client.Organizations.IsMember(ctx, org, login)
				if err != nil && ghclient.Status(err) != http.StatusNotFound {
					return nil, fmt.Errorf("membership of %s in %s: %w", login, org, err)
				}
				member = m
				l.cache.put(key, member)
			}
			if member {
				out[org] = append(out[org], login)
			}
		}
	}
	return out, nil
}

// LookupCache keeps lookups' answers across checks, in this process: at
// most size entries, each for ttl. Keys include the installation, so no
// installation reads another's answers. Safe for concurrent use; a nil
// cache keeps nothing.
type LookupCache struct {
	mu      sync.Mutex
	size    int
	ttl     time.Duration
	now     func() time.Time
	order   *list.List // of *cacheEntry, oldest first
	entries map[string]*list.Element
}

type cacheEntry struct {
	key     string
	value   any
	expires time.Time
}

// NewLookupCache makes a cache of at most size entries kept for ttl.
func NewLookupCache(size int, ttl time.Duration) *LookupCache {
	return &LookupCache{size: max(size, 1), ttl: ttl, now: time.Now, order: list.New(), entries: map[string]*list.Element{}}
}

// Len is how many entries the cache holds.
func (c *LookupCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *LookupCache) get(key string) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	return e.value, true
}

func (c *LookupCache) put(key string, value any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.order.Remove(el)
		delete(c.entries, key)
	}
	for len(c.entries) >= c.size {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).key)
	}
	c.entries[key] = c.order.PushBack(&cacheEntry{key: key, value: value, expires: c.now().Add(c.ttl)})
}
