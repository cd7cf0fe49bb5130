// The app page: live log tail and activity, charts, times; status and release follow the events.
import { startCharts } from "./charts.js";
import { followActivity, followLog } from "./live.js";
import { showRelativeTimes } from "./times.js";

const root = document.getElementById("app-page");
const app = root.dataset.app;

let pending;
async function refreshSummary() {
  try {
    const response = await fetch(`/api/v1/apps/${encodeURIComponent(app)}`);
    if (!response.ok) return;
    const info = await response.json();
    const status = document.querySelector("#app-status .status");
    status.textContent = info.status;
    status.dataset.status = info.status;
    status.className = `status ${info.status === "running" ? "ok" : info.status === "confirming" ? "busy" : "bad"}`;
    const release = document.querySelector("#app-release .release");
    if (release && info.release !== undefined) release.textContent = `v${info.release}`;
  } catch {
    // The next event tries again.
  }
}

showRelativeTimes(document);
followLog(app, document.getElementById("log"));
followActivity(app, document.getElementById("activity"), () => {
  clearTimeout(pending);
  pending = setTimeout(refreshSummary, 300);
});
startCharts(app, document.getElementById("charts"));
