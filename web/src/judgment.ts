// One judgment: its request, outcome and every vote (per order and
// sample: the raw answer, the answer mapped back to canonical options, the
// certainty, the rationale, how it parsed).

import { call, type GetJudgmentResponse, type ScoreRequest, type Vote } from "./api.js";
import { el, fmt, short, table, tagText, when } from "./dom.js";
import { verdictText } from "./judgments.js";

function mapped(v: Vote): string {
  const a = v.mappedAnswer;
  if (!a) return "–";
  if (a.tie) return "tie";
  if (a.choice !== undefined) return `option ${a.choice}`;
  if (a.score !== undefined) return `score ${a.score}`;
  if (a.distribution) return a.distribution.map((d) => d.toFixed(2)).join(" / ");
  return "–";
}

// taskView shows what the judge was asked, field by field.
export function taskView(req: ScoreRequest): HTMLElement {
  const rows: [string, string][] = [];
  if (req.preference) {
    const p = req.preference;
    rows.push(["task", "personalized preference"], ["persona", p.persona ?? ""], ["query", p.query ?? ""],
      ["option 0 (response A)", p.responseA ?? ""], ["option 1 (response B)", p.responseB ?? ""]);
  } else if (req.roleIdentification) {
    const r = req.roleIdentification;
    rows.push(["task", "role identification"]);
    for (const t of r.dialogue ?? []) rows.push([`turn: ${t.speaker ?? ""}`, t.text ?? ""]);
    rows.push(["target line", r.targetUtterance ?? ""]);
    (r.candidates ?? []).forEach((c, i) => rows.push([`option ${i}: ${c.name ?? ""}`, c.profile ?? ""]));
  } else if (req.adherence) {
    const a = req.adherence;
    rows.push(["task", `persona adherence (${short(a.task, "ADHERENCE_TASK_KIND_")})`], ["persona", a.persona ?? ""],
      ["setting", a.setting ?? ""], ["question", a.question ?? ""], ["answer", a.answer ?? ""]);
  }
  return el("dl", { class: "task" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

export function votesTable(votes: Vote[]): HTMLTableElement {
  return table(
    ["model", "shown order", "sample", "raw answer", "mapped answer", "certainty", "rationale", "parse", "latency", "cache"],
    votes.map((v) => [
      v.model ?? "", (v.shownOrder ?? []).join(","), String(v.sampleIndex ?? 0), el("pre", {}, v.rawAnswer ?? v.error ?? ""),
      mapped(v), fmt(v.certainty, 2), v.rationale ?? "", short(v.parseStatus, "PARSE_STATUS_"), v.latency ?? "",
      v.cacheHit ? "hit" : "",
    ]),
    { class: "votes" },
  );
}

export async function loadJudgment(id: string): Promise<GetJudgmentResponse> {
  return call<GetJudgmentResponse>("JudgeService", "GetJudgment", { judgmentId: id });
}

export async function renderJudgment(main: HTMLElement, id: string): Promise<void> {
  const { judgment: j, request } = await loadJudgment(id);
  const facts: [string, string][] = [
    ["judgment", j.judgmentId], ["item", j.itemId ?? ""], ["profile", j.judgeProfile ?? ""], ["time", when(j.createdAt)],
    ["status", short(j.status, "JUDGMENT_STATUS_")], ["reason", [short(j.reasonCode, "REASON_CODE_"), j.reason].filter(Boolean).join(": ")],
    ["verdict", verdictText(j)], ["verbal certainty", fmt(j.verbalCertainty, 2)],
    ["calibrated probability", j.calibratedProbability === undefined ? "–" : `${fmt(j.calibratedProbability, 3)} (${j.calibratorVersion ?? ""})${j.highCertainty ? ", high certainty" : ""}`],
    ["position consistency", fmt(j.positionConsistency ?? 0, 2)], ["tie source", short(j.tieSource, "TIE_SOURCE_")],
    ["tags", tagText(j.tags)],
  ];
  main.append(
    el("h1", {}, `Judgment ${j.itemId || j.judgmentId}`),
    el("section", { id: "judgment-detail" },
      el("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      el("h2", {}, "Request"), taskView(request),
      el("h2", {}, `Votes (${j.votes?.length ?? 0})`), votesTable(j.votes ?? [])),
  );
}
