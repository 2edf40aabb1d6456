// Calls the assertion the way promptfoo does (output, {vars, prompt, test,
// config}) against a running service at $PERSONAJUDGE_ADDR. The Go test
// examples_test.go starts that service against a scripted fake judge that
// prefers whichever response mentions "lentil", with certainty 95.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const personaJudgeAssert = require("./personajudge-assert.js");

const vars = {
  persona: "A vegan marathon runner who cooks at home.",
  query: "What should I make for dinner tonight?",
  baseline: "A ribeye steak with butter.",
};

test("an output the judge prefers with high certainty passes", async () => {
  const r = await personaJudgeAssert("A lentil and sweet-potato curry.", { vars, prompt: vars.query, test: { vars } });
  assert.equal(r.pass, true, r.reason);
  assert.match(r.reason, /prefers the output/);
  assert.ok(r.score >= 0.9, `score ${r.score}`);
});

test("an output the judge does not prefer fails", async () => {
  const r = await personaJudgeAssert("A bacon cheeseburger.", {
    vars: { ...vars, baseline: "A lentil and sweet-potato curry." },
    prompt: vars.query,
    test: {},
  });
  assert.equal(r.pass, false);
  assert.match(r.reason, /prefers the baseline/);
});

test("a preferred output below the certainty bar fails", async () => {
  const r = await personaJudgeAssert("A lentil and sweet-potato curry.", {
    vars: { ...vars, minCertainty: 0.99 },
    prompt: vars.query,
    test: {},
  });
  assert.equal(r.pass, false, r.reason);
  assert.match(r.reason, /no calibrator fitted/);
});

test("a test without a baseline is a failure that says why", async () => {
  const r = await personaJudgeAssert("anything", { vars: { persona: "x" }, prompt: "q", test: {} });
  assert.equal(r.pass, false);
  assert.match(r.reason, /vars.baseline/);
});
