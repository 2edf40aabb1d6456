// A promptfoo assertion that uses PersonaJudge as the grader: the output
// under test and the test's `baseline` response are judged as a
// personalized preference for the test's `persona` and `query` (shown in
// both orders by the service), and the assertion passes only when the
// output wins with high certainty:
//   - with a calibrator fitted for the judge profile: the service's
//     highCertainty flag (its calibrated probability clears the threshold);
//   - without one: a verbal certainty of at least `minCertainty` (vars or
//     config, default 0.9), said so in the reason.
// A tie, an ABSTAIN (the orders disagreed) or a JUDGE_ERROR never passes.
//
// promptfooconfig.yaml:
//   assert:
//     - type: javascript
//       value: file://personajudge-assert.js
// The service address is $PERSONAJUDGE_ADDR (default http://127.0.0.1:8080);
// $PERSONAJUDGE_API_KEY is sent as a bearer token when set. It calls Score
// through the Connect protocol's JSON form with fetch: no dependency.
"use strict";

const DEFAULT_MIN_CERTAINTY = 0.9;

async function personaJudgeAssert(output, context) {
  const vars = (context && context.vars) || {};
  const config = (context && context.config) || {};
  for (const field of ["persona", "baseline"]) {
    if (!vars[field]) {
      return { pass: false, score: 0, reason: `PersonaJudge: the test needs vars.${field}` };
    }
  }
  const baseUrl = (config.addr || process.env.PERSONAJUDGE_ADDR || "http://127.0.0.1:8080").replace(/\/$/, "");
  const minCertainty = Number(vars.minCertainty ?? config.minCertainty ?? DEFAULT_MIN_CERTAINTY);
  const headers = { "Content-Type": "application/json" };
  if (process.env.PERSONAJUDGE_API_KEY) headers.Authorization = `Bearer ${process.env.PERSONAJUDGE_API_KEY}`;
  const body = {
    preference: {
      persona: String(vars.persona),
      query: String(vars.query ?? context.prompt ?? ""),
      responseA: String(output),
      responseB: String(vars.baseline),
    },
    tags: { source: "promptfoo" },
  };
  let res;
  try {
    res = await fetch(`${baseUrl}/personajudge.v1.JudgeService/Score`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
  } catch (err) {
    return { pass: false, score: 0, reason: `PersonaJudge unreachable at ${baseUrl}: ${err.message}` };
  }
  const j = await res.json();
  if (!res.ok) {
    return { pass: false, score: 0, reason: `PersonaJudge: ${j.code}: ${j.message}` };
  }
  const certainty = j.verbalCertainty ?? 0;
  const calibrated = j.calibratedProbability !== undefined;
  const won = j.status === "JUDGMENT_STATUS_VERDICT" && j.verdict && !j.verdict.tie && (j.verdict.choice ?? 0) === 0;
  const sure = calibrated ? j.highCertainty === true : certainty >= minCertainty;
  const score = calibrated ? j.calibratedProbability : certainty;
  const what = calibrated
    ? `calibrated probability ${j.calibratedProbability.toFixed(2)}${j.highCertainty ? " (high certainty)" : " (not high certainty)"}`
    : `verbal certainty ${certainty.toFixed(2)} against ${minCertainty} (no calibrator fitted)`;
  let reason;
  if (j.status !== "JUDGMENT_STATUS_VERDICT") {
    reason = `PersonaJudge ${j.status}: ${j.reason || j.reasonCode || ""}`;
  } else if (!won) {
    reason = j.verdict && j.verdict.tie ? "PersonaJudge: a tie with the baseline" : "PersonaJudge prefers the baseline";
  } else {
    reason = `PersonaJudge prefers the output, ${what}`;
  }
  return { pass: won && sure, score: won ? score : 0, reason: `${reason} [judgment ${j.judgmentId || "-"}]` };
}

module.exports = personaJudgeAssert;
