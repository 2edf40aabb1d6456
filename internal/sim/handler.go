package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/personajudge/personajudge/internal/chatwire"
	"github.com/personajudge/personajudge/internal/promptblocks"
)

// MaxBodyBytes bounds a request body: our prompts are far smaller.
const MaxBodyBytes = 1 << 20

// Handler serves POST .../chat/completions as the simulated judge. Mount it
// on any listener; every other path answers 404.
type Handler struct {
	sim   *Sim
	stats struct {
		calls, answered, r429, r500, malformed, rejected, shed atomic.Int64
	}
	inFlight atomic.Int64
}

// NewHandler checks the configuration and returns the handler.
func NewHandler(cfg Config) (*Handler, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Handler{sim: s}, nil
}

// Sim is the simulator behind the handler.
func (h *Handler) Sim() *Sim { return h.sim }

// Stats counts calls by outcome.
type Stats struct {
	// Calls is every chat-completions request received.
	Calls int64
	// Answered got a readable answer; the others a fault or, for prompts
	// that are not preference prompts, a 400 (Rejected).
	Answered, Status429, Status500, Malformed, Rejected int64
	// Shed counts the 429s answered for being over Capacity (also counted
	// in Status429).
	Shed int64
	// InFlight is the number of calls being answered now.
	InFlight int64
}

// Stats returns the counts so far.
func (h *Handler) Stats() Stats {
	return Stats{
		Calls: h.stats.calls.Load(), Answered: h.stats.answered.Load(),
		Status429: h.stats.r429.Load(), Status500: h.stats.r500.Load(),
		Malformed: h.stats.malformed.Load(), Rejected: h.stats.rejected.Load(),
		Shed: h.stats.shed.Load(), InFlight: h.inFlight.Load(),
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeError(w, http.StatusNotFound, "the simulator serves POST /v1/chat/completions only")
		return
	}
	h.stats.calls.Add(1)
	var req chatwire.Request
	if err := json.NewDecoder(io.LimitReader(r.Body, MaxBodyBytes)).Decode(&req); err != nil {
		h.stats.rejected.Add(1)
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	call, ok := readCall(&req, r.Header)
	if !ok {
		h.stats.rejected.Add(1)
		writeError(w, http.StatusBadRequest, `the simulator judges preference prompts only: fenced "persona", "query", "response A" and "response B" blocks`)
		return
	}
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	if c := h.sim.cfg.Capacity; c > 0 && n > int64(c) {
		h.stats.shed.Add(1)
		h.tooMany(w, "simulated overload: more calls in flight than the capacity")
		return
	}
	d := h.sim.Decide(call)
	if d.Fault == Fault429 {
		h.tooMany(w, "simulated rate limit")
		return
	}
	if !sleep(r, d.Latency) {
		return // the caller went away
	}
	var content string
	switch d.Fault {
	case Fault500:
		h.stats.r500.Add(1)
		writeError(w, http.StatusInternalServerError, "simulated server error")
		return
	case FaultMalformed:
		h.stats.malformed.Add(1)
		// Cut off before "choice": no parser can recover an answer from it.
		content = `{"rationale": "Weighing what the persona says about their needs, the response that`
	default:
		h.stats.answered.Add(1)
		content = answer(d)
	}
	chatwire.WriteCompletion(w, chatwire.NewCompletion("chatcmpl-sim", &req, chatwire.Answer{Content: content}))
}

func (h *Handler) tooMany(w http.ResponseWriter, msg string) {
	h.stats.r429.Add(1)
	w.Header().Set("Retry-After-Ms", strconv.FormatInt(h.sim.cfg.RetryAfter.Milliseconds(), 10))
	writeError(w, http.StatusTooManyRequests, msg)
}

// readCall finds the item in a preference prompt.
func readCall(req *chatwire.Request, hdr http.Header) (Call, bool) {
	blocks, _ := promptblocks.Split(req.System(), req.User())
	var c Call
	for _, f := range []struct {
		name string
		dst  *string
	}{{"persona", &c.Persona}, {"query", &c.Query}, {"response A", &c.First}, {"response B", &c.Second}} {
		t, ok := promptblocks.Text(blocks, f.name)
		if !ok {
			return Call{}, false
		}
		*f.dst = t
	}
	if req.Seed != nil {
		c.Sample = *req.Seed
	}
	c.Reask = req.Reasks()
	c.Attempt, _ = strconv.Atoi(hdr.Get("X-Stainless-Retry-Count"))
	return c, true
}

func answer(d Decision) string {
	why := "Response %s fits this user's persona better."
	if d.Positional {
		why = "Response %s reads as the stronger one."
	}
	b, _ := json.Marshal(map[string]any{
		"rationale": fmt.Sprintf(why, d.Label),
		"choice":    d.Label,
		"certainty": d.Certainty,
	})
	return string(b)
}

// sleep waits d unless the caller goes away first; false when it did.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	chatwire.WriteError(w, status, "simulated_error", msg)
}
