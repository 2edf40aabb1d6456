#!/usr/bin/env python3
"""Score one personalized-preference item through PersonaJudge over gRPC.

Usage: python3 score.py [HOST:PORT]   (default $PERSONAJUDGE_GRPC_ADDR, else 127.0.0.1:8080)

Needs grpcio and protobuf (Debian: apt-get install python3-grpcio python3-grpc-tools).
The stubs in personajudge/v1/ are generated from proto/personajudge/v1/judge.proto:
  protoc -Iproto --python_out=examples/python --grpc_python_out=examples/python \
    --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin proto/personajudge/v1/judge.proto
Sends $PERSONAJUDGE_API_KEY as a bearer token when it is set.
"""
import os
import sys

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from personajudge.v1 import judge_pb2, judge_pb2_grpc  # noqa: E402


def main() -> int:
    addr = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PERSONAJUDGE_GRPC_ADDR", "127.0.0.1:8080")
    request = judge_pb2.ScoreRequest(
        item_id="python-demo-1",
        preference=judge_pb2.PersonalizedPreferenceTask(
            persona="A vegan marathon runner who cooks at home.",
            query="What should I make for dinner tonight?",
            response_a="A ribeye steak with butter.",
            response_b="A lentil and sweet-potato curry.",
        ),
    )
    metadata = []
    if os.environ.get("PERSONAJUDGE_API_KEY"):
        metadata.append(("authorization", "Bearer " + os.environ["PERSONAJUDGE_API_KEY"]))
    with grpc.insecure_channel(addr) as channel:
        stub = judge_pb2_grpc.JudgeServiceStub(channel)
        try:
            resp = stub.Score(request, metadata=metadata, timeout=60)
        except grpc.RpcError as err:
            print(f"Score failed: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1
    status = judge_pb2.JudgmentStatus.Name(resp.status)
    verdict = "none"
    if resp.HasField("verdict"):
        if resp.verdict.tie:
            verdict = "tie"
        elif resp.verdict.HasField("choice"):
            verdict = "response " + "AB"[resp.verdict.choice]
    print(f"status={status} verdict={verdict} certainty={resp.verbal_certainty:.2f} "
          f"consistency={resp.position_consistency:.2f} judgment_id={resp.judgment_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
