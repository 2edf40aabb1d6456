// The review queue: uncertain judgments (ABSTAIN, orders that disagree,
// calibrated probability below a threshold), unlabelled first. Opening one
// shows what the judge was asked and how it voted; a person with an admin
// key records the right answer (RecordOutcomes) and can refit the
// profile's calibrator (FitCalibrator) so the labels take effect.

import { call, type ListReviewQueueResponse, type ReviewItem } from "./api.js";
import { el, errorBox, short } from "./dom.js";
import { input, profiles, select, value } from "./filters.js";
import { loadJudgment, taskView, votesTable } from "./judgment.js";
import { judgmentHeaders, judgmentRow } from "./judgments.js";

interface LabelChoice {
  text: string;
  label: { choice?: number; tie?: boolean; score?: number };
}

async function labelChoices(id: string): Promise<{ choices: LabelChoice[]; detail: HTMLElement }> {
  const { judgment, request } = await loadJudgment(id);
  const choices: LabelChoice[] = [];
  if (request.preference) {
    choices.push({ text: "Response A is right", label: { choice: 0 } }, { text: "Response B is right", label: { choice: 1 } });
    if ((request.judge as { allowTie?: boolean } | undefined)?.allowTie) choices.push({ text: "Tie", label: { tie: true } });
  } else if (request.roleIdentification) {
    (request.roleIdentification.candidates ?? []).forEach((c, i) => choices.push({ text: `${c.name} spoke it`, label: { choice: i } }));
  } else if (request.adherence) {
    for (let s = 1; s <= 5; s++) choices.push({ text: `Score ${s}`, label: { score: s } });
  }
  const detail = el("div", { class: "review-detail" }, taskView(request), votesTable(judgment.votes ?? []));
  return { choices, detail };
}

function openItem(item: ReviewItem, row: HTMLTableRowElement, done: () => void): void {
  const id = item.judgment.judgmentId;
  const existing = document.getElementById(`review-${id}`);
  if (existing) {
    existing.remove();
    return;
  }
  const cell = el("td", { colspan: String(judgmentHeaders.length + 2) }, "loading…");
  const panel = el("tr", { id: `review-${id}`, class: "review-panel" }, cell);
  row.after(panel);
  labelChoices(id)
    .then(({ choices, detail }) => {
      const result = el("p", { class: "label-result", role: "status" });
      const buttons = choices.map((c, i) => {
        const b = el("button", { type: "button", "data-label-index": String(i) }, c.text);
        b.addEventListener("click", async () => {
          try {
            const resp = await call<{ recorded?: number; unchanged?: number }>("CalibrationService", "RecordOutcomes", {
              outcomes: [{ judgmentId: id, label: c.label }],
              overwrite: item.judgment.label !== undefined,
            });
            result.textContent = `Recorded (${resp.recorded ?? 0} written, ${resp.unchanged ?? 0} unchanged).`;
            done();
          } catch (err) {
            result.replaceChildren(errorBox(err));
          }
        });
        return b;
      });
      cell.replaceChildren(detail, el("div", { class: "label-buttons" }, el("strong", {}, "The right answer: "), ...buttons), result);
    })
    .catch((err) => cell.replaceChildren(errorBox(err)));
}

export async function renderReview(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const ps = await profiles();
  const profile = params.get("profile") ?? "";
  const form = el(
    "form",
    { id: "review-filters", class: "filters" },
    select("r-profile", "profile", ps.map((p) => p.profile), profile, "every profile"),
    input("r-threshold", "calibrated probability below", params.get("below") ?? "0.7", { type: "number", step: "0.05", min: "0.05", max: "1" }),
    el("label", {}, el("input", { id: "r-labelled", type: "checkbox", ...(params.get("labelled") ? { checked: "" } : {}) }), " include labelled"),
    el("button", { id: "apply", type: "submit" }, "Apply"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (value("r-profile")) q.set("profile", value("r-profile"));
    if (value("r-threshold")) q.set("below", value("r-threshold"));
    if ((document.getElementById("r-labelled") as HTMLInputElement).checked) q.set("labelled", "1");
    location.hash = `#/review?${q}`;
  });

  const refitProfile = el("select", { id: "refit-profile" }, ...ps.map((p) => el("option", { value: p.profile }, p.profile)));
  if (profile) refitProfile.value = profile;
  const refitResult = el("p", { id: "refit-result", role: "status" });
  const refit = el("button", { id: "refit", type: "button" }, "Refit calibrator");
  refit.addEventListener("click", async () => {
    refitResult.textContent = "fitting…";
    try {
      const resp = await call<{ calibrator?: { version?: string; method?: string; n?: number; active?: boolean } }>(
        "CalibrationService", "FitCalibrator", { profile: refitProfile.value });
      const c = resp.calibrator ?? {};
      refitResult.textContent = `New calibrator ${c.version} (${short(c.method, "CALIBRATION_METHOD_")}, ${c.n ?? 0} outcomes)${c.active ? ", active" : ""}.`;
    } catch (err) {
      refitResult.replaceChildren(errorBox(err));
    }
  });

  const body = el("tbody", { id: "review-rows" });
  const count = el("p", { id: "review-count", class: "muted" });
  main.append(
    el("h1", {}, "Review queue"),
    el("p", { class: "muted" }, "Uncertain judgments, unlabelled first. Open one to see it and record the right answer (admin key)."),
    form, count,
    el("table", { class: "list" }, el("thead", {}, el("tr", {}, ...[...judgmentHeaders, "why", ""].map((h) => el("th", {}, h)))), body),
    el("section", { class: "refit" }, el("h2", {}, "Refit"), el("p", { class: "muted" }, "Fits a new calibrator from every label of the profile and makes it active."),
      refitProfile, " ", refit, refitResult),
  );

  const req: Record<string, unknown> = { pageSize: 100, includeLabelled: params.get("labelled") === "1" };
  if (profile) req.profile = profile;
  const below = Number(params.get("below") ?? "0.7");
  if (below > 0) req.maxProbability = below;
  const resp = await call<ListReviewQueueResponse>("ConsoleService", "ListReviewQueue", req);
  const items = resp.items ?? [];
  count.textContent = `${items.length} to review${resp.nextPageToken ? " (first page)" : ""}`;
  for (const item of items) {
    const why = (item.reasons ?? []).map((r) => short(r, "REVIEW_REASON_")).join(", ");
    const open = el("button", { type: "button", class: "open-review" }, "Open");
    const row = judgmentRow(item.judgment, [why, open]);
    open.addEventListener("click", () =>
      openItem(item, row, () => {
        row.classList.add("labelled");
      }));
    body.append(row);
  }
}
