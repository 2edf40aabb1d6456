// Eval runs: the summaries eval records when a run finishes (eval
// --record-run), newest first; opening one shows its figures.

import { call, type EvalRun } from "./api.js";
import { el, table, when } from "./dom.js";

// flatten turns the summary's nested objects into dotted keys, so every
// figure gets a row.
function flatten(prefix: string, v: unknown, out: [string, string][]): void {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, w] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, w, out);
    return;
  }
  out.push([prefix, typeof v === "number" ? String(Number.isInteger(v) ? v : v.toFixed(4)) : JSON.stringify(v)]);
}

export async function renderRuns(main: HTMLElement): Promise<void> {
  const resp = await call<{ runs?: EvalRun[] }>("ConsoleService", "ListEvalRuns", { pageSize: 100 });
  const runs = resp.runs ?? [];
  main.append(
    el("h1", {}, "Eval runs"),
    runs.length === 0
      ? el("p", { class: "muted" }, "No run recorded yet: run eval with --record-run.")
      : table(["time", "name", "run"], runs.map((r) => [when(r.createdAt), el("a", { href: `#/run/${encodeURIComponent(r.runId)}` }, r.name ?? r.runId), r.runId]), { class: "list", id: "runs" }),
  );
}

export async function renderRun(main: HTMLElement, id: string): Promise<void> {
  const resp = await call<{ run: EvalRun }>("ConsoleService", "GetEvalRun", { runId: id });
  const r = resp.run;
  let summary: unknown = {};
  try {
    summary = JSON.parse(r.summaryJson ?? "{}");
  } catch {
    summary = { summary: r.summaryJson };
  }
  const rows: [string, string][] = [];
  flatten("", summary, rows);
  main.append(
    el("h1", {}, `Eval run ${r.name ?? r.runId}`),
    el("p", { class: "muted" }, `recorded ${when(r.createdAt)}`),
    table(["figure", "value"], rows, { class: "list", id: "run-summary" }),
  );
}
