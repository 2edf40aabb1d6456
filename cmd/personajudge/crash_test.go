package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/store"
	"google.golang.org/protobuf/proto"
)

const (
	crashCycles  = 3
	crashWorkers = 8
	// crashAcks is how many judgments each cycle acknowledges before the
	// kill; workers keep sending, so others are in flight when it lands.
	crashAcks = 40
)

// crashItem is a preference item unique to (cycle, worker, seq), so no two
// calls share an LLM cache entry or an item_id.
func crashItem(cycle, worker, seq int) *pb.ScoreRequest {
	id := fmt.Sprintf("crash-%d-%d-%d", cycle, worker, seq)
	return &pb.ScoreRequest{ItemId: id, Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
		Persona:   "A vegan marathon runner, reader " + id + ".",
		Query:     "Suggest a dinner.",
		ResponseA: "Steak and fries.",
		ResponseB: "Lentil curry with rice. GOOD",
	}}}
}

const (
	crashProfile = "preference/crash/pref-v1/cyclic"
	crashBatch   = 60
)

// crashOutcomes is one batch of historical outcomes, distinct per batch.
func crashOutcomes(cycle, batch int) *pb.ImportOutcomesRequest {
	req := &pb.ImportOutcomesRequest{}
	for i := range crashBatch {
		c := float64(1 + (cycle*7+batch*13+i*29)%100)
		req.Records = append(req.Records, &pb.RawOutcome{Profile: crashProfile, Certainty: c, Correct: (i+batch)%3 != 0})
	}
	return req
}

// verifyCalibration checks that every acknowledged calibrator is stored with
// the sample count it was fitted on, and that every acknowledged import is
// among the outcomes a new report counts.
func verifyCalibration(t *testing.T, url string, imported int, fits map[string]int32, when string) {
	t.Helper()
	c := personajudgev1connect.NewCalibrationServiceClient(http.DefaultClient, url)
	ctx := t.Context()
	for version, n := range fits {
		got, err := c.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: crashProfile, CalibratorVersion: version})
		if err != nil {
			t.Fatalf("%s: acknowledged calibrator %s is not readable: %v", when, version, err)
		}
		if got.Report.Raw.N != n {
			t.Fatalf("%s: calibrator %s reports n=%d, fitted on %d", when, version, got.Report.Raw.N, n)
		}
	}
	if imported == 0 {
		return
	}
	fit, err := c.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: crashProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM, DoNotActivate: true})
	if err != nil {
		t.Fatalf("%s: fit over the stored outcomes: %v", when, err)
	}
	if int(fit.Calibrator.N) < imported {
		t.Fatalf("%s: %d outcomes stored, %d acknowledged", when, fit.Calibrator.N, imported)
	}
}

type crashAck struct {
	judgmentID string
	req        *pb.ScoreRequest
}

// kill -9 of `serve` under load, then a restart on the same database: the
// store passes integrity_check, every judgment acknowledged to a caller is
// readable with GetJudgment, whole (the request the caller sent, the
// item_id it gave), and no item is recorded twice.
func TestCrashKill9UnderLoadLosesNoAcknowledgedJudgment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it under load")
	}
	content := fakejudge.ContentPreference("GOOD", 85)
	fake := llmfake.New(func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := content(r, n)
		rep.Delay = time.Duration(rand.IntN(20)) * time.Millisecond
		return rep
	})
	defer fake.Close()
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "crash.db")

	var (
		mu   sync.Mutex
		acks []crashAck
		// Calibration writes acknowledged under the same load: imported
		// outcomes (a running total) and fitted calibrators (version -> n).
		importedAck int
		fitsAck     = map[string]int32{}
	)
	// verify reads every acknowledged judgment back from a running server.
	verify := func(client personajudgev1connect.JudgeServiceClient, when string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		seen := map[string]bool{}
		for _, a := range acks {
			if seen[a.judgmentID] {
				t.Fatalf("%s: judgment_id %s acknowledged twice", when, a.judgmentID)
			}
			seen[a.judgmentID] = true
			got, err := client.GetJudgment(t.Context(), &pb.GetJudgmentRequest{JudgmentId: a.judgmentID})
			if err != nil {
				t.Fatalf("%s: acknowledged judgment %s (item %s) is not readable: %v", when, a.judgmentID, a.req.ItemId, err)
			}
			j := got.GetJudgment()
			if j.GetJudgmentId() != a.judgmentID || j.GetItemId() != a.req.ItemId || !proto.Equal(got.GetRequest(), a.req) {
				t.Fatalf("%s: judgment %s reads back as id %q item %q (want item %q), request equal: %v",
					when, a.judgmentID, j.GetJudgmentId(), j.GetItemId(), a.req.ItemId, proto.Equal(got.GetRequest(), a.req))
			}
			if j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || j.Verdict.GetChoice() != 1 || len(j.Votes) != 2 {
				t.Fatalf("%s: judgment %s reads back half-written: status %v verdict %v, %d votes", when, a.judgmentID, j.Status, j.Verdict, len(j.Votes))
			}
		}
	}

	for cycle := range crashCycles {
		cmd, url, _ := startServe(t, bin, fake, "--db", db)
		hc := &http.Client{Transport: &http.Transport{}}
		client := personajudgev1connect.NewJudgeServiceClient(hc, url)
		if cycle > 0 {
			verify(client, fmt.Sprintf("after restart %d", cycle))
			verifyCalibration(t, url, importedAck, fitsAck, fmt.Sprintf("after restart %d", cycle))
		}

		ctx, cancel := context.WithCancel(t.Context())
		var (
			wg          sync.WaitGroup
			killed      atomic.Bool
			cycleAcks   atomic.Int64
			inFlight    atomic.Int64
			preKillErrs atomic.Int64
			firstErr    atomic.Value
			enough      = make(chan struct{})
			enoughOnce  sync.Once
		)
		// One more caller imports outcomes and fits calibrators meanwhile,
		// so the kill can land in the middle of those writes too.
		calClient := personajudgev1connect.NewCalibrationServiceClient(hc, url)
		wg.Go(func() {
			for batch := 0; ctx.Err() == nil; batch++ {
				if _, err := calClient.ImportOutcomes(ctx, crashOutcomes(cycle, batch)); err != nil {
					return
				}
				mu.Lock()
				importedAck += crashBatch
				mu.Unlock()
				fit, err := calClient.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: crashProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC})
				if err != nil {
					return
				}
				mu.Lock()
				fitsAck[fit.Calibrator.Version] = fit.Calibrator.N
				mu.Unlock()
			}
		})
		for w := range crashWorkers {
			wg.Go(func() {
				for seq := 0; ctx.Err() == nil; seq++ {
					req := crashItem(cycle, w, seq)
					inFlight.Add(1)
					resp, err := client.Score(ctx, req)
					inFlight.Add(-1)
					if err != nil {
						if killed.Load() {
							return // the server is gone; an unacknowledged call
						}
						preKillErrs.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
						if connect.CodeOf(err) != connect.CodeResourceExhausted {
							return
						}
						continue
					}
					if resp.JudgmentId == "" || resp.ItemId != req.ItemId {
						firstErr.CompareAndSwap(nil, fmt.Sprintf("ack for %s carries id %q item %q", req.ItemId, resp.JudgmentId, resp.ItemId))
						preKillErrs.Add(1)
						return
					}
					mu.Lock()
					acks = append(acks, crashAck{resp.JudgmentId, req})
					mu.Unlock()
					if cycleAcks.Add(1) >= crashAcks {
						enoughOnce.Do(func() { close(enough) })
					}
				}
			})
		}
		select {
		case <-enough:
		case <-time.After(20 * time.Second):
			killed.Store(true)
			cancel()
			t.Fatalf("cycle %d: only %d judgments acknowledged (first error: %v)", cycle, cycleAcks.Load(), firstErr.Load())
		}
		killed.Store(true)
		flying := inFlight.Load()
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		cancel()
		wg.Wait()
		hc.CloseIdleConnections()
		if n := preKillErrs.Load(); n > 0 {
			t.Fatalf("cycle %d: %d calls failed before the kill; first: %v", cycle, n, firstErr.Load())
		}
		mu.Lock()
		t.Logf("cycle %d: %d judgments acknowledged, %d calls in flight at kill -9; %d outcomes imported and %d calibrators fitted so far",
			cycle, cycleAcks.Load(), flying, importedAck, len(fitsAck))
		mu.Unlock()
	}

	// The last restart reads back everything acknowledged in every cycle,
	// then shuts down cleanly.
	cmd, url, _ := startServe(t, bin, fake, "--db", db)
	hc := &http.Client{Transport: &http.Transport{}}
	verify(personajudgev1connect.NewJudgeServiceClient(hc, url), "after the last restart")
	verifyCalibration(t, url, importedAck, fitsAck, "after the last restart")
	if len(fitsAck) == 0 {
		t.Fatal("no calibrator fit was acknowledged under load; the calibration check saw nothing")
	}
	hc.CloseIdleConnections()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}

	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(t.Context()); err != nil || res != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, %v", res, err)
	}
	// Every row is whole: both blobs decode and agree with their columns;
	// no item is recorded twice (no call was retried).
	rows, err := st.DB().Query(`SELECT id, item_id, request, response FROM judgments`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	items := map[string]int{}
	stored := 0
	for rows.Next() {
		var id, item string
		var reqB, respB []byte
		if err := rows.Scan(&id, &item, &reqB, &respB); err != nil {
			t.Fatal(err)
		}
		req, resp := &pb.ScoreRequest{}, &pb.ScoreResponse{}
		if proto.Unmarshal(reqB, req) != nil || proto.Unmarshal(respB, resp) != nil {
			t.Fatalf("row %s does not decode", id)
		}
		if resp.JudgmentId != id || resp.ItemId != item || req.ItemId != item {
			t.Fatalf("row %s: response id %q item %q, request item %q, column item %q", id, resp.JudgmentId, resp.ItemId, req.ItemId, item)
		}
		items[item]++
		if items[item] > 1 {
			t.Fatalf("item %s is recorded %d times", item, items[item])
		}
		stored++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if stored < len(acks) {
		t.Fatalf("%d judgments stored, fewer than the %d acknowledged", stored, len(acks))
	}
	t.Logf("%d judgments acknowledged over %d kills, all readable; %d rows stored (%d committed but unacknowledged); integrity_check ok",
		len(acks), crashCycles, stored, stored-len(acks))
}
