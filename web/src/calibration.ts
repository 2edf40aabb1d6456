// Calibration: a profile's calibrators and the held-out report of one,
// raw verbal certainty beside calibrated probability, with the reliability
// diagram and the risk-coverage curve.

import { call, type CalibrationMetrics, type CalibrationReport, type StoredCalibrator } from "./api.js";
import { reliabilityDiagram, riskCoverageCurve } from "./charts.js";
import { el, fmt, short, table, when } from "./dom.js";
import { profiles, select, value } from "./filters.js";

function metricsRows(raw?: CalibrationMetrics, cal?: CalibrationMetrics): (string | Node)[][] {
  const m: [string, (x?: CalibrationMetrics) => number | undefined][] = [
    ["n", (x) => x?.n], ["accuracy", (x) => x?.accuracy], ["ECE (10 bins)", (x) => x?.ece10], ["ECE (20 bins)", (x) => x?.ece20],
    ["MCE", (x) => x?.mce], ["Brier", (x) => x?.brier], ["log loss", (x) => x?.logLoss], ["AUROC", (x) => x?.auroc],
  ];
  return m.map(([name, f]) => [name, fmt(f(raw), name === "n" ? 0 : 3), cal ? fmt(f(cal), name === "n" ? 0 : 3) : "–"]);
}

export async function renderCalibration(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const ps = await profiles();
  const profile = params.get("profile") || ps.find((p) => p.activeCalibrator)?.profile || ps[0]?.profile || "";
  const form = el("form", { id: "calibration-filters", class: "filters" }, select("c-profile", "profile", ps.map((p) => p.profile), profile, "choose"),
    el("button", { id: "apply", type: "submit" }, "Show"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/calibration?profile=${encodeURIComponent(value("c-profile"))}`;
  });
  main.append(el("h1", {}, "Calibration"), form);
  if (!profile) {
    main.append(el("p", { class: "muted" }, "No judge profile yet."));
    return;
  }
  const version = params.get("version") ?? "";
  const [cals, rep] = await Promise.all([
    call<{ calibrators?: StoredCalibrator[] }>("ConsoleService", "ListCalibrators", { profile }),
    call<{ report: CalibrationReport }>("CalibrationService", "GetCalibrationReport", version ? { profile, calibratorVersion: version } : { profile }),
  ]);
  const list = cals.calibrators ?? [];
  main.append(
    el("h2", {}, "Calibrators"),
    list.length === 0
      ? el("p", { class: "muted" }, "None fitted: label judgments in the review queue, then refit.")
      : table(["version", "method", "outcomes", "active", "threshold", "coverage", "fitted"], list.map((c) => [
        el("a", { href: `#/calibration?profile=${encodeURIComponent(profile)}&version=${encodeURIComponent(c.info.version ?? "")}` }, c.info.version ?? ""),
        short(c.info.method, "CALIBRATION_METHOD_"), String(c.info.n ?? 0), c.info.active ? "active" : "",
        c.info.threshold?.found ? fmt(c.info.threshold.threshold) : "none", c.info.threshold?.found ? fmt(c.info.threshold.coverage) : "–", when(c.createdAt),
      ]), { class: "list", id: "calibrators" }),
  );
  const r = rep.report;
  const series = [
    { name: "raw certainty", metrics: r.raw, cls: "raw" },
    { name: `calibrated ${r.calibratorVersion ?? ""}`, metrics: r.calibrated, cls: "calibrated" },
  ];
  main.append(
    el("h2", {}, `Report${r.calibratorVersion ? ` of ${r.calibratorVersion}` : " (raw only)"}`),
    table(["metric (held out)", "raw", "calibrated"], metricsRows(r.raw, r.calibrated), { class: "list", id: "report-metrics" }),
    el("div", { class: "charts", id: "report-charts" }, reliabilityDiagram(series) as unknown as Node, riskCoverageCurve(series) as unknown as Node),
  );
}
