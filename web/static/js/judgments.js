// The judgments page: the ledger filtered by profile, kind, status,
// reason, tags and time, newest first, a page at a time.
import { call } from "./api.js";
import { el, errorBox, fmt, short, tagText, when } from "./dom.js";
import { input, kinds, parseTags, profiles, reasonCodes, select, statuses, value } from "./filters.js";
export function verdictText(j) {
    const v = j.verdict;
    if (!v)
        return "–";
    if (v.tie)
        return "tie";
    if (v.choice !== undefined)
        return `option ${v.choice}`;
    if (v.score !== undefined)
        return `score ${fmt(v.score, 2)}`;
    return "–";
}
export function labelText(j) {
    const l = j.label;
    if (!l)
        return "";
    if (l.tie)
        return "tie";
    if (l.choice !== undefined)
        return `option ${l.choice}`;
    if (l.score !== undefined)
        return `score ${l.score}`;
    return "(empty)";
}
export function judgmentRow(j, extra = []) {
    const link = el("a", { href: `#/judgment/${encodeURIComponent(j.judgmentId)}` }, j.itemId || j.judgmentId);
    const cells = [
        when(j.createdAt), link, j.judgeProfile ?? "", short(j.status, "JUDGMENT_STATUS_"),
        j.reasonCode ? short(j.reasonCode, "REASON_CODE_") : "", verdictText(j), fmt(j.verbalCertainty, 2),
        fmt(j.calibratedProbability, 2), fmt(j.positionConsistency ?? 0, 2), tagText(j.tags), labelText(j), ...extra,
    ];
    const tr = el("tr", { "data-judgment-id": j.judgmentId }, ...cells.map((c) => el("td", {}, c)));
    return tr;
}
export const judgmentHeaders = ["time", "item", "profile", "status", "reason", "verdict", "certainty", "calibrated", "consistency", "tags", "label"];
export async function renderJudgments(main, params) {
    const ps = await profiles();
    const form = el("form", { id: "judgment-filters", class: "filters" }, select("f-profile", "profile", ps.map((p) => p.profile), params.get("profile") ?? ""), select("f-kind", "kind", kinds, params.get("kind") ?? ""), select("f-status", "status", statuses, params.get("status") ?? ""), select("f-reason", "reason", reasonCodes, params.get("reason") ?? ""), input("f-tag", "tags", params.get("tags") ?? "", { placeholder: "key=value, ..." }), input("f-from", "from", params.get("from") ?? "", { type: "datetime-local" }), input("f-to", "to", params.get("to") ?? "", { type: "datetime-local" }), el("button", { id: "apply", type: "submit" }, "Apply"));
    form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const q = new URLSearchParams();
        for (const [id, key] of [["f-profile", "profile"], ["f-kind", "kind"], ["f-status", "status"], ["f-reason", "reason"], ["f-tag", "tags"], ["f-from", "from"], ["f-to", "to"]]) {
            const v = value(id);
            if (v)
                q.set(key, v);
        }
        location.hash = `#/judgments?${q}`;
    });
    const body = el("tbody", { id: "judgment-rows" });
    const more = el("button", { id: "more", type: "button", hidden: "" }, "More");
    const status = el("p", { id: "judgment-count", class: "muted" });
    main.append(el("h1", {}, "Judgments"), form, status, el("table", { class: "list" }, el("thead", {}, el("tr", {}, ...judgmentHeaders.map((h) => el("th", {}, h)))), body), more);
    const req = { pageSize: 50 };
    const p = (k) => params.get(k) ?? "";
    if (p("profile"))
        req.profile = p("profile");
    if (p("kind"))
        req.kind = p("kind");
    if (p("status"))
        req.status = `JUDGMENT_STATUS_${p("status")}`;
    if (p("reason"))
        req.reasonCode = `REASON_CODE_${p("reason")}`;
    try {
        if (p("tags"))
            req.tags = parseTags(p("tags"));
    }
    catch (err) {
        main.append(errorBox(err));
        return;
    }
    if (p("from"))
        req.createdAfter = new Date(p("from")).toISOString();
    if (p("to"))
        req.createdBefore = new Date(p("to")).toISOString();
    let shown = 0;
    const load = async (token) => {
        if (token)
            req.pageToken = token;
        const resp = await call("ConsoleService", "ListJudgments", req);
        for (const j of resp.judgments ?? [])
            body.append(judgmentRow(j));
        shown += resp.judgments?.length ?? 0;
        status.textContent = `${shown} judgment${shown === 1 ? "" : "s"}${resp.nextPageToken ? " (more below)" : ""}`;
        more.hidden = !resp.nextPageToken;
        more.onclick = () => load(resp.nextPageToken ?? "").catch((err) => main.append(errorBox(err)));
    };
    await load("");
}
