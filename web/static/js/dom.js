// Small helpers to build the page from data. Text always goes in through
// textContent, never innerHTML: judgments hold caller and model text.
export function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        e.setAttribute(k, v);
    }
    for (const c of children) {
        if (c === null || c === undefined || c === false)
            continue;
        e.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
}
export function table(headers, rows, attrs = {}) {
    return el("table", attrs, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))), el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))));
}
export function fmt(x, digits = 3) {
    return x === undefined || x === null ? "–" : x.toFixed(digits);
}
export function when(ts) {
    return ts ? new Date(ts).toLocaleString() : "–";
}
// short strips the proto enum prefix: JUDGMENT_STATUS_ABSTAIN -> ABSTAIN.
export function short(enumName, prefix) {
    if (!enumName)
        return "–";
    return enumName.startsWith(prefix) ? enumName.slice(prefix.length) : enumName;
}
export function errorBox(err) {
    return el("p", { class: "error", role: "alert" }, String(err instanceof Error ? err.message : err));
}
export function tagText(tags) {
    return Object.entries(tags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
}
