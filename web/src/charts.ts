// SVG charts of a calibration report: the reliability diagram (accuracy
// against mean confidence per bin, the diagonal being perfect calibration)
// and the risk-coverage curve (error rate among the judgments kept, as the
// confidence threshold lowers and coverage grows).

import type { CalibrationMetrics } from "./api.js";

const svgNS = "http://www.w3.org/2000/svg";
const W = 320;
const H = 240;
const pad = 36;

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const x = (v: number) => pad + v * (W - 2 * pad);
const y = (v: number) => H - pad - v * (H - 2 * pad);

function frame(title: string, xLabel: string, yLabel: string): SVGElement {
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": title });
  root.append(svg("text", { x: W / 2, y: 14, "text-anchor": "middle", class: "chart-title" }, title));
  root.append(svg("rect", { x: pad, y: pad, width: W - 2 * pad, height: H - 2 * pad, class: "chart-frame" }));
  for (const t of [0, 0.5, 1]) {
    root.append(svg("text", { x: x(t), y: H - pad + 14, "text-anchor": "middle", class: "tick" }, String(t)));
    root.append(svg("text", { x: pad - 4, y: y(t) + 4, "text-anchor": "end", class: "tick" }, String(t)));
  }
  root.append(svg("text", { x: W / 2, y: H - 4, "text-anchor": "middle", class: "axis" }, xLabel));
  root.append(svg("text", { x: 10, y: H / 2, transform: `rotate(-90 10 ${H / 2})`, "text-anchor": "middle", class: "axis" }, yLabel));
  return root;
}

function polyline(points: [number, number][], cls: string): SVGElement {
  return svg("polyline", { points: points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(" "), class: cls });
}

interface Series {
  name: string;
  metrics?: CalibrationMetrics;
  cls: string;
}

function legend(root: SVGElement, series: Series[]): void {
  series.forEach((s, i) => {
    root.append(svg("rect", { x: pad + 6, y: pad + 6 + i * 14, width: 10, height: 4, class: `${s.cls} legend` }));
    root.append(svg("text", { x: pad + 20, y: pad + 11 + i * 14, class: "tick" }, s.name));
  });
}

export function reliabilityDiagram(series: Series[]): SVGElement {
  const root = frame("Reliability diagram", "mean confidence", "accuracy");
  root.append(polyline([[0, 0], [1, 1]], "diagonal"));
  for (const s of series) {
    const bins = (s.metrics?.bins ?? []).filter((b) => (b.count ?? 0) > 0);
    root.append(polyline(bins.map((b) => [b.meanConfidence ?? 0, b.accuracy ?? 0]), `line ${s.cls}`));
    for (const b of bins) {
      root.append(svg("circle", { cx: x(b.meanConfidence ?? 0), cy: y(b.accuracy ?? 0), r: 3, class: `dot ${s.cls}` }));
    }
  }
  legend(root, series.filter((s) => s.metrics));
  return root;
}

export function riskCoverageCurve(series: Series[]): SVGElement {
  const root = frame("Risk-coverage curve", "coverage", "risk (error rate)");
  for (const s of series) {
    const pts = (s.metrics?.riskCoverage ?? []).map((p) => [p.coverage ?? 0, p.risk ?? 0] as [number, number]);
    pts.sort((a, b) => a[0] - b[0]);
    root.append(polyline(pts, `line ${s.cls}`));
  }
  legend(root, series.filter((s) => s.metrics));
  return root;
}
