package server

import (
	"errors"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

func roleIdentificationTask(*pb.RoleIdentificationTask, *pb.JudgeConfig) (judges.Task, string, error) {
	return nil, "", connect.NewError(connect.CodeUnimplemented, errors.New("role_identification is not served yet"))
}

func validateRoleIdentification(*pb.RoleIdentificationTask) *fieldError { return nil }
