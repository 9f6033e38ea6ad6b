package githubfake

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"net/http"
	"sync"
)

// FaultPlan injects faults at random into requests that no armed fault
// (InjectFault) matches: each request is faulted with probability
// WriteRate (POST, PATCH, PUT, DELETE) or ReadRate (GET, HEAD), with one
// of the plan's kinds.
//
// Determinism: the decision for a request is a pure function of the seed,
// the request's method and path, and how many requests with that method
// and path the plan has seen before it (its occurrence). The same seed
// therefore faults the n-th "POST /repos/acme/ospo/issues" the same way in
// every run, however requests to other paths interleave. What concurrency
// still varies is which client (replica, job attempt) sends that n-th
// request, and, when a fault changes what a client does next (a retry, a
// different path), the requests that follow.
type FaultPlan struct {
	seed  uint64
	kinds []FaultKind
	// WriteRate and ReadRate are the probabilities, 0 to 1, that a write
	// or a read is faulted; RandomFaults sets both to its rate.
	WriteRate, ReadRate float64
	// MaxRun, when positive, lets a request through after that many
	// faults in a row of its method and path: a transient fault does not
	// last, and a client's growing backoff need not outlast a test.
	MaxRun int
	// Skip, when set, exempts the requests it returns true for (a test's
	// own client, told apart by its User-Agent, say).
	Skip func(*http.Request) bool

	mu   sync.Mutex
	seen map[string]uint64
	run  map[string]int // consecutive faults per method and path
}

// RandomFaults returns a plan that faults each request with probability
// rate (0 to 1) with one of kinds, chosen by seed; without kinds it
// faults nothing.
func RandomFaults(seed int64, rate float64, kinds ...FaultKind) *FaultPlan {
	return &FaultPlan{seed: uint64(seed), WriteRate: rate, ReadRate: rate, kinds: kinds, seen: map[string]uint64{}, run: map[string]int{}}
}

// SetFaultPlan installs a fault plan; nil removes it.
func (f *Fake) SetFaultPlan(p *FaultPlan) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plan = p
}

// planned asks the fault plan, if any, for the request's fault.
func (f *Fake) planned(c *call) (FaultKind, bool) {
	f.mu.Lock()
	p := f.plan
	f.mu.Unlock()
	if p == nil {
		return FaultKind{}, false
	}
	return p.pick(c.req)
}

// pick decides the fault of the next request with this method and path.
func (p *FaultPlan) pick(r *http.Request) (FaultKind, bool) {
	method, path := r.Method, r.URL.Path
	rate := p.WriteRate
	if method == http.MethodGet || method == http.MethodHead {
		rate = p.ReadRate
	}
	if len(p.kinds) == 0 || rate <= 0 {
		return FaultKind{}, false
	}
	if p.Skip != nil && p.Skip(r) {
		return FaultKind{}, false
	}
	key := method + " " + path
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.seen[key]
	p.seen[key] = n + 1
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], p.seed)
	h.Write(b[:])
	h.Write([]byte(key))
	binary.LittleEndian.PutUint64(b[:], n)
	h.Write(b[:])
	sum := splitmix(h.Sum64())
	u := float64(sum>>11) / float64(1<<53)
	if u >= rate || math.IsNaN(u) || (p.MaxRun > 0 && p.run[key] >= p.MaxRun) {
		p.run[key] = 0
		return FaultKind{}, false
	}
	p.run[key]++
	return p.kinds[splitmix(sum)%uint64(len(p.kinds))], true
}

// splitmix is SplitMix64's finaliser: it spreads FNV's bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
