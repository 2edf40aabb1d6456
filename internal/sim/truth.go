package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
)

// Key identifies an item: the digest of its persona, query and unordered
// pair of responses.
type Key [sha256.Size]byte

// ItemKey is the item's key. Swapping a and b gives the same key.
func ItemKey(persona, query, a, b string) Key {
	lo, hi := ordered(a, b)
	h := sha256.New()
	for _, s := range []string{"personajudge-sim/v1", persona, query, lo, hi} {
		h.Write([]byte(strings.TrimSpace(s)))
		h.Write([]byte{0})
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// ordered returns the two responses, trimmed, in byte order: the
// order-free frame the truth and the order shown are expressed in.
func ordered(a, b string) (lo, hi string) {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a <= b {
		return a, b
	}
	return b, a
}

// Better is the ground truth: 0 when a is the better response for this
// persona and query, 1 when b is. It is the same whichever way round the
// pair is given (Better(p, q, b, a) == 1-Better(p, q, a, b) for a != b).
func Better(persona, query, a, b string) int {
	k := ItemKey(persona, query, a, b)
	hiBetter := k[0]&1 == 1
	lo, _ := ordered(a, b)
	if (strings.TrimSpace(a) == lo) != hiBetter {
		return 0
	}
	return 1
}

// difficulty is the probability p that a content-reading call answers this
// item right: uniform on an interval centred on accuracy, so it averages to
// accuracy over items (see the package doc).
func difficulty(k Key, accuracy float64) float64 {
	spread := 2 * min(math.Abs(accuracy-0.5), accuracy, 1-accuracy)
	u := float64(binary.LittleEndian.Uint64(k[8:16])>>11) / (1 << 53)
	return accuracy + spread*(u-0.5)
}

// rng seeds a PCG from a digest of the parts, so every call has its own
// stream whatever else is running.
func rng(parts ...[]byte) *rand.Rand {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[0:8]), binary.LittleEndian.Uint64(sum[8:16])))
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
