package server

import (
	"errors"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

func adherenceTask(*pb.PersonaAdherenceTask, *pb.JudgeConfig) (judges.Task, string, error) {
	return nil, "", connect.NewError(connect.CodeUnimplemented, errors.New("adherence is not served yet"))
}

func validateAdherence(*pb.PersonaAdherenceTask) *fieldError { return nil }
