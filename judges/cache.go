package judges

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"sync"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// callKey is the content address of one judge call: the same profile,
// inputs, model, order, sample and temperature always get the same answer
// from the cache. The fence tag is random per judgment and so is not part of
// the key; the inputs it fences are (ItemDigest).
func callKey(profile, itemDigest string, m *clients.Model, order []int, sample int, temperature float64) string {
	h := sha256.New()
	for _, s := range []string{profile, itemDigest, m.Name(), m.ModelID()} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var b [8]byte
	for _, o := range order {
		binary.LittleEndian.PutUint64(b[:], uint64(o))
		h.Write(b[:])
	}
	binary.LittleEndian.PutUint64(b[:], uint64(sample))
	h.Write(b[:])
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(temperature))
	h.Write(b[:])
	return hex.EncodeToString(h.Sum(nil))
}

// ItemDigest is a digest of a task message and the options that change its
// prompt, for cache keys. Deterministic marshaling makes equal messages
// equal bytes.
func ItemDigest(item proto.Message, extra ...string) string {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(item)
	h := sha256.New()
	h.Write(b)
	for _, e := range extra {
		h.Write([]byte{0})
		h.Write([]byte(e))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// flights makes identical calls in flight once: later callers wait for the
// first and share its vote (marked as a cache hit, at no token cost).
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done chan struct{}
	vote *pb.Vote
	err  error
}

// do runs fn once per key among concurrent callers. shared reports whether
// this caller got another caller's result.
func (f *flights) do(ctx context.Context, key string, fn func() (*pb.Vote, error)) (v *pb.Vote, err error, shared bool) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	if fl, ok := f.m[key]; ok {
		f.mu.Unlock()
		select {
		case <-fl.done:
			return fl.vote, fl.err, true
		case <-ctx.Done():
			return nil, ctx.Err(), true
		}
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	f.mu.Unlock()

	fl.vote, fl.err = fn()
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	close(fl.done)
	return fl.vote, fl.err, false
}

// cachedVote copies a vote for a caller that did not pay for it.
func cachedVote(v *pb.Vote) *pb.Vote {
	c := proto.Clone(v).(*pb.Vote)
	c.CacheHit = true
	c.Usage = &pb.Usage{CacheHits: 1}
	return c
}
