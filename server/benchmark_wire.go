package server

import (
	"math"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/personagym"
	"github.com/personajudge/personajudge/stats"
	"github.com/personajudge/personajudge/store"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The BenchmarkService's answers mapped from personagym's summary and
// comparison, which name tasks as the benchmark does ("Expected Action").

func benchmarkRunPB(r store.BenchmarkRun) *pb.BenchmarkRun {
	return &pb.BenchmarkRun{RunId: r.ID, Name: r.Name, Agent: r.Agent, CreatedAt: timestamppb.New(r.CreatedAt)}
}

// estimatePB leaves value and interval unset where there is no data (NaN).
func estimatePB(e stats.Estimate) *pb.Estimate {
	out := &pb.Estimate{N: int32(e.N)}
	if !math.IsNaN(e.Value) && e.N > 0 {
		v := e.Value
		out.Value = &v
		if !math.IsNaN(e.Lower) && !math.IsNaN(e.Upper) {
			out.Interval = &pb.Interval{Lower: e.Lower, Upper: e.Upper, Level: e.Level}
		}
	}
	return out
}

func taskKind(name string) pb.AdherenceTaskKind {
	t, _ := personagym.TaskKind(name)
	return t
}

func rollUpPB(s *personagym.Summary) *pb.RollUpResponse {
	out := &pb.RollUpResponse{
		PersonaScore: estimatePB(s.PersonaScore),
		Items:        int32(s.Items), Scored: int32(s.Scored),
		JudgeErrors: int32(s.JudgeErrors), Abstentions: int32(s.Abstentions),
	}
	for _, t := range s.Tasks {
		out.Tasks = append(out.Tasks, &pb.TaskRollUp{
			Task: taskKind(t.Task), OverPersonas: estimatePB(t.OverPersonas), OverQuestions: estimatePB(t.OverQuestions),
			Items: int32(t.Items), Scored: int32(t.Scored), JudgeErrors: int32(t.JudgeErrors), Abstentions: int32(t.Abstentions),
		})
	}
	for _, p := range s.Personas {
		pr := &pb.PersonaRollUp{Persona: int32(p.Index), PersonaScore: p.Score}
		if p.Interval != nil {
			pr.Interval = &pb.Interval{Lower: p.Interval[0], Upper: p.Interval[1], Level: stats.DefaultLevel}
		}
		// In PersonaGym's task order, not the map's.
		for _, t := range s.Tasks {
			if m, ok := p.Tasks[t.Task]; ok {
				pr.Tasks = append(pr.Tasks, &pb.PersonaTaskMean{Task: taskKind(t.Task), Mean: m})
			}
		}
		for _, m := range p.MissingTasks {
			pr.MissingTasks = append(pr.MissingTasks, taskKind(m))
		}
		out.Personas = append(out.Personas, pr)
	}
	return out
}

// differencePB reports p = 1 where no unit is paired (stats leaves NaN):
// no evidence of a difference.
func differencePB(c stats.Comparison) *pb.PairedDifference {
	p := c.PValue
	if math.IsNaN(p) {
		p = 1
	}
	return &pb.PairedDifference{Diff: estimatePB(c.Diff), PValue: p, Better: int32(c.Better), Worse: int32(c.Worse)}
}

func comparisonPB(c *personagym.Comparison) *pb.CompareRunsResponse {
	out := &pb.CompareRunsResponse{Overall: differencePB(c.Overall), Unpaired: int32(c.Unpaired)}
	for _, t := range c.Tasks {
		out.Tasks = append(out.Tasks, &pb.TaskDifference{Task: taskKind(t.Task), Difference: differencePB(t.Comparison)})
	}
	return out
}
