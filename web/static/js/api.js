// The console speaks the same Connect API as every other client: Connect
// JSON over fetch, with the API key as a Bearer credential. protojson
// leaves out zero values, so every field here is optional, and int64
// values arrive as strings.
const keyStorage = "personajudge.apiKey";
export function apiKey() {
    return sessionStorage.getItem(keyStorage) ?? "";
}
export function setAPIKey(key) {
    if (key) {
        sessionStorage.setItem(keyStorage, key);
    }
    else {
        sessionStorage.removeItem(keyStorage);
    }
}
export class RPCError extends Error {
    code;
    constructor(code, message) {
        super(`${code}: ${message}`);
        this.code = code;
    }
}
// call invokes one unary RPC, e.g. call("ConsoleService", "ListJudgments", {...}).
export async function call(service, method, body) {
    const headers = {
        "Content-Type": "application/json",
        "Connect-Protocol-Version": "1",
    };
    const key = apiKey();
    if (key) {
        headers["Authorization"] = `Bearer ${key}`;
    }
    const resp = await fetch(`/personajudge.v1.${service}/${method}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
    });
    const text = await resp.text();
    let data = {};
    try {
        data = text ? JSON.parse(text) : {};
    }
    catch {
        throw new RPCError("unknown", `HTTP ${resp.status}: ${text.slice(0, 200)}`);
    }
    if (!resp.ok) {
        throw new RPCError(data.code ?? "unknown", data.message ?? `HTTP ${resp.status}`);
    }
    return data;
}
