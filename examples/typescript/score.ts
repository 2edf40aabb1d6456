// Score one personalized-preference item through PersonaJudge with a
// Connect client generated from proto/personajudge/v1 (see ../buf.gen.yaml),
// and print the verdict.
//
//   npm ci && npx tsx typescript/score.ts [BASE_URL]
//
// BASE_URL defaults to $PERSONAJUDGE_ADDR, else http://127.0.0.1:8080. The
// Connect protocol over HTTP/1.1 serves unary calls; ScoreStream needs
// HTTP/2 (httpVersion: "2"). $PERSONAJUDGE_API_KEY is sent as a bearer token
// when set.
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { JudgeService, JudgmentStatus } from "./gen/personajudge/v1/judge_pb.js";

const baseUrl = process.argv[2] ?? process.env.PERSONAJUDGE_ADDR ?? "http://127.0.0.1:8080";
const apiKey = process.env.PERSONAJUDGE_API_KEY;

const transport = createConnectTransport({
  baseUrl,
  httpVersion: "1.1",
  interceptors: apiKey
    ? [(next) => (req) => { req.header.set("Authorization", `Bearer ${apiKey}`); return next(req); }]
    : [],
});
const client = createClient(JudgeService, transport);

const resp = await client.score({
  itemId: "ts-demo-1",
  task: {
    case: "preference",
    value: {
      persona: "A vegan marathon runner who cooks at home.",
      query: "What should I make for dinner tonight?",
      responseA: "A ribeye steak with butter.",
      responseB: "A lentil and sweet-potato curry.",
    },
  },
}).catch((err: unknown) => {
  // ConnectError's message reads "[code] message", the code once.
  console.error(`Score failed: ${ConnectError.from(err).message}`);
  process.exit(1);
});

let verdict = "none";
if (resp.verdict?.tie) verdict = "tie";
else if (resp.verdict?.choice !== undefined) verdict = "response " + "AB"[resp.verdict.choice];
// usage.llmCalls is an int64: a bigint here, a JSON string on the wire.
console.log(
  `status=${JudgmentStatus[resp.status]} verdict=${verdict} certainty=${resp.verbalCertainty.toFixed(2)} ` +
    `consistency=${resp.positionConsistency.toFixed(2)} llm_calls=${resp.usage?.llmCalls ?? 0n} judgment_id=${resp.judgmentId}`,
);
