package main

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/temaplan/temaplan/collab"
)

// Witness records, for one document, which op each version holds as the
// clients see it: the first client to see version v (as an `op` message,
// or as the `ack` of its own op) records the op's identity (src, seq), and
// every later client that sees v compares. Together with each client
// seeing the versions after its snapshot once each and in order, this is
// the convergence check of the load scenarios, which cannot afford to keep
// the text in every one of hundreds of clients: clients that applied the
// same ops in the same order from the same snapshot hold the same text.
// At the end the table is compared with the store's op log (CheckWitness),
// and one full client per document compares its text with the server's.
//
// It is lock-free on the hot path (an atomic per version); it grows in
// chunks under a lock.
type Witness struct {
	mu     sync.Mutex
	chunks atomic.Pointer[[]*witnessChunk]
	lo, hi atomic.Int64 // the lowest and highest version observed; lo starts at MaxInt64
	// Mismatches counts the observations that disagreed with the first.
	Mismatches atomic.Int64
}

const witnessChunkBits = 12

type witnessChunk [1 << witnessChunkBits]atomic.Uint64

// NewWitness returns an empty table.
func NewWitness() *Witness {
	w := &Witness{}
	w.chunks.Store(&[]*witnessChunk{})
	w.lo.Store(math.MaxInt64)
	w.hi.Store(-1)
	return w
}

// opHash identifies an op by its source and seq, never 0 (0 marks a version
// nobody has seen). FNV-1a, 64 bits: collisions between the few hundred
// thousand ops of a run are out of the question.
func opHash(src string, seq int64) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(src); i++ {
		h ^= uint64(src[i])
		h *= prime
	}
	h ^= 0xff // separates src from seq
	h *= prime
	for i := 0; i < 8; i++ {
		h ^= uint64(seq >> (8 * i) & 0xff)
		h *= prime
	}
	return h | 1
}

// Observe records that a client saw the op (src, seq) at version v and
// reports whether that agrees with what the first client to see v saw.
func (w *Witness) Observe(v int64, src string, seq int64) bool {
	if v < 0 {
		w.Mismatches.Add(1)
		return false
	}
	slot := w.slot(v)
	h := opHash(src, seq)
	for {
		m := w.lo.Load()
		if v >= m || w.lo.CompareAndSwap(m, v) {
			break
		}
	}
	for {
		m := w.hi.Load()
		if v <= m || w.hi.CompareAndSwap(m, v) {
			break
		}
	}
	if slot.CompareAndSwap(0, h) || slot.Load() == h {
		return true
	}
	w.Mismatches.Add(1)
	return false
}

// slot returns the counter of version v, growing the table if needed.
func (w *Witness) slot(v int64) *atomic.Uint64 {
	c := int(v >> witnessChunkBits)
	chunks := *w.chunks.Load()
	if c >= len(chunks) {
		w.mu.Lock()
		chunks = *w.chunks.Load()
		if c >= len(chunks) {
			grown := make([]*witnessChunk, c+1+len(chunks)/2)
			copy(grown, chunks)
			for i := len(chunks); i < len(grown); i++ {
				grown[i] = new(witnessChunk)
			}
			w.chunks.Store(&grown)
			chunks = grown
		}
		w.mu.Unlock()
	}
	return &chunks[c][v&(1<<witnessChunkBits-1)]
}

// seen returns the hash observed at v, 0 if none.
func (w *Witness) seen(v int64) uint64 {
	c := int(v >> witnessChunkBits)
	chunks := *w.chunks.Load()
	if v < 0 || c >= len(chunks) {
		return 0
	}
	return chunks[c][v&(1<<witnessChunkBits-1)].Load()
}

// WitnessCheck is how the clients' view of a document compares with its
// op log in the store.
type WitnessCheck struct {
	// Checked counts the versions both the clients and the log have.
	Checked int `json:"checked"`
	// Differ counts the versions at which the log holds another op than
	// the clients saw, Unseen the versions the log has in the observed
	// range that no client saw, and Phantom the versions clients saw that
	// the log does not have.
	Differ  int `json:"differ"`
	Unseen  int `json:"unseen"`
	Phantom int `json:"phantom"`
	// Mismatches counts the client observations that disagreed with each
	// other while the run went on.
	Mismatches int `json:"client_mismatches"`
}

// OK reports whether clients and store agree.
func (c WitnessCheck) OK() bool {
	return c.Differ == 0 && c.Unseen == 0 && c.Phantom == 0 && c.Mismatches == 0
}

func (c WitnessCheck) String() string {
	return fmt.Sprintf("checked %d versions: %d differ from the log, %d in the log unseen, %d seen but not in the log, %d client disagreements",
		c.Checked, c.Differ, c.Unseen, c.Phantom, c.Mismatches)
}

// CheckWitness compares the table with a document's op log (in version
// order, as Ops returns it): within the range of versions the clients
// observed, every version must be in both, with the same op.
func CheckWitness(w *Witness, log []collab.OpRecord) WitnessCheck {
	res := WitnessCheck{Mismatches: int(w.Mismatches.Load())}
	lo, hi := w.lo.Load(), w.hi.Load()
	if hi < lo {
		return res // nothing observed
	}
	inLog := make(map[int64]bool, len(log))
	for _, r := range log {
		if r.V < lo || r.V > hi {
			continue
		}
		inLog[r.V] = true
		h := w.seen(r.V)
		switch {
		case h == 0:
			res.Unseen++
		case h != opHash(r.Src, r.Seq):
			res.Differ++
		default:
			res.Checked++
		}
	}
	for v := lo; v <= hi; v++ {
		if w.seen(v) != 0 && !inLog[v] {
			res.Phantom++
		}
	}
	return res
}
