// Small helpers to build the page from data. Text always goes in through
// textContent, never innerHTML: judgments hold caller and model text.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

export function table(headers: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return el(
    "table",
    attrs,
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))),
  );
}

export function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || x === null ? "–" : x.toFixed(digits);
}

export function when(ts: string | undefined): string {
  return ts ? new Date(ts).toLocaleString() : "–";
}

// short strips the proto enum prefix: JUDGMENT_STATUS_ABSTAIN -> ABSTAIN.
export function short(enumName: string | undefined, prefix: string): string {
  if (!enumName) return "–";
  return enumName.startsWith(prefix) ? enumName.slice(prefix.length) : enumName;
}

export function errorBox(err: unknown): HTMLElement {
  return el("p", { class: "error", role: "alert" }, String(err instanceof Error ? err.message : err));
}

export function tagText(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}
