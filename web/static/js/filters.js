// Choices shared by the filter forms: the enum names the API accepts.
import { call } from "./api.js";
import { el } from "./dom.js";
export const statuses = ["VERDICT", "ABSTAIN", "JUDGE_ERROR", "INVALID"];
export const reasonCodes = [
    "ORDERS_DISAGREE", "TIED_TOP", "BELOW_MIN_PROBABILITY", "UNREADABLE_OUTPUT", "REFUSED", "RATE_LIMITED",
    "TIMEOUT", "BACKEND_ERROR", "BACKEND_UNREACHABLE", "BACKEND_REJECTED", "INVALID_INPUT", "OTHER",
];
export const kinds = ["preference", "role", "adherence"];
export function select(id, label, options, value, anyText = "any") {
    const s = el("select", { id, name: id });
    s.append(el("option", { value: "" }, anyText));
    for (const o of options) {
        const opt = el("option", { value: o }, o);
        if (o === value)
            opt.selected = true;
        s.append(opt);
    }
    return el("label", {}, label + " ", s);
}
export function input(id, label, value, attrs = {}) {
    const i = el("input", { id, name: id, ...attrs });
    i.value = value;
    return el("label", {}, label + " ", i);
}
export function value(id) {
    const e = document.getElementById(id);
    return e ? e.value.trim() : "";
}
export async function profiles() {
    const resp = await call("ConsoleService", "ListProfiles", {});
    return resp.profiles ?? [];
}
// parseTags reads "k=v, k2=v2".
export function parseTags(text) {
    const out = {};
    for (const part of text.split(",")) {
        const p = part.trim();
        if (!p)
            continue;
        const i = p.indexOf("=");
        if (i <= 0)
            throw new Error(`tag "${p}": write key=value`);
        out[p.slice(0, i).trim()] = p.slice(i + 1).trim();
    }
    return out;
}
