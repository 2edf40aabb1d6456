// The console's entry point: the API key form, the navigation and a
// hash router (#/judgments, #/judgment/ID, #/review, #/runs, #/run/ID,
// #/calibration), each page built from Connect API calls.
import { apiKey, setAPIKey } from "./api.js";
import { renderCalibration } from "./calibration.js";
import { el, errorBox } from "./dom.js";
import { renderJudgment } from "./judgment.js";
import { renderJudgments } from "./judgments.js";
import { renderReview } from "./review.js";
import { renderRun, renderRuns } from "./runs.js";
function keyForm() {
    const key = el("input", { id: "api-key", type: "password", placeholder: "API key", autocomplete: "off" });
    key.value = apiKey();
    const form = el("form", { id: "key-form" }, key, el("button", { type: "submit" }, "Use key"));
    form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        setAPIKey(key.value.trim());
        route();
    });
    return form;
}
async function route() {
    const main = document.getElementById("main");
    main.replaceChildren();
    const [path, query] = (location.hash.replace(/^#/, "") || "/judgments").split("?");
    const params = new URLSearchParams(query ?? "");
    const parts = path.split("/").filter(Boolean);
    for (const a of document.querySelectorAll("nav a")) {
        a.classList.toggle("current", a.getAttribute("href") === `#/${parts[0]}`);
    }
    main.setAttribute("aria-busy", "true");
    try {
        switch (parts[0]) {
            case "judgment":
                await renderJudgment(main, decodeURIComponent(parts[1] ?? ""));
                break;
            case "review":
                await renderReview(main, params);
                break;
            case "runs":
                await renderRuns(main);
                break;
            case "run":
                await renderRun(main, decodeURIComponent(parts[1] ?? ""));
                break;
            case "calibration":
                await renderCalibration(main, params);
                break;
            default:
                await renderJudgments(main, params);
        }
    }
    catch (err) {
        main.append(errorBox(err));
    }
    finally {
        main.setAttribute("aria-busy", "false");
    }
}
document.getElementById("key").append(keyForm());
window.addEventListener("hashchange", () => void route());
void route();
