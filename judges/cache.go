package judges

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"sync"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// callKey is the content address of one judge call: the same profile,
// inputs, model, order, sample and temperature always get the same answer
// from the cache. The fence tag is random per judgment and so is not part of
// the key; the inputs it fences are (Task.Digest).
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

// digest is a digest of a task message and the options that change its
// prompt: the item identity behind Task.Digest. Deterministic marshaling
// makes equal messages equal bytes.
func digest(item proto.Message, extra ...string) string {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(item)
	h := sha256.New()
	h.Write(b)
	for _, e := range extra {
		h.Write([]byte{0})
		h.Write([]byte(e))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// flightResult is what one in-flight call hands to the callers sharing it.
type flightResult struct {
	vote *pb.Vote
	err  error
}

// sharedCall makes identical calls in flight once: later callers wait for
// the first and share its vote (marked as a cache hit, at no token cost).
// A waiter whose context ends leaves at once; a panic in fn reaches every
// caller as an error instead of leaving them waiting. shared reports
// whether this caller got another caller's result.
func (e *Engine) sharedCall(ctx context.Context, key string, fn func() (*pb.Vote, error)) (v *pb.Vote, err error, shared bool) {
	ran := false // set only if this caller's fn is the one that runs
	ch := e.inflight.DoChan(key, func() (res any, err error) {
		ran = true
		defer func() {
			if p := recover(); p != nil {
				e.log.Error("judge call panicked", "panic", p)
				res, err = flightResult{err: errors.New("internal error while judging")}, nil
			}
		}()
		v, err := fn()
		return flightResult{vote: v, err: err}, nil
	})
	select {
	case r := <-ch:
		// The result is sent after fn returns, so reading ran is ordered.
		fr := r.Val.(flightResult)
		return fr.vote, fr.err, !ran
	case <-ctx.Done():
		return nil, ctx.Err(), true
	}
}

// cachedVote copies a vote for a caller that did not pay for it.
func cachedVote(v *pb.Vote) *pb.Vote {
	c := proto.Clone(v).(*pb.Vote)
	c.CacheHit = true
	c.Usage = &pb.Usage{CacheHits: 1}
	return c
}

// itemDigest computes a task's Digest once: the engine reads it for every
// call's cache key and for the judgment.
type itemDigest struct {
	once sync.Once
	d    string
}

func (m *itemDigest) get(compute func() string) string {
	m.once.Do(func() { m.d = compute() })
	return m.d
}
