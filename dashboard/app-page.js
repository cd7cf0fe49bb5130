// The app page: live log tail and activity, charts, times; status, release and instances follow the events.
import { startCharts } from "./charts.js";
import { followActivity, followLog } from "./live.js";
import { readJson, setStatus, statusBadge } from "./status.js";
import { showRelativeTimes, timeElement } from "./times.js";

const root = document.getElementById("app-page");
const app = root.dataset.app;

function cell(label, ...content) {
  const td = document.createElement("td");
  td.dataset.label = label;
  td.append(...content);
  return td;
}

function code(text) {
  const element = document.createElement("code");
  element.textContent = text;
  return element;
}

function showInstances(instances) {
  const body = document.querySelector("table.instances tbody");
  if (!body) return;
  body.replaceChildren(
    ...instances.map((i) => {
      const row = document.createElement("tr");
      const driver = document.createElement("span");
      driver.className = "muted";
      driver.textContent = i.pid === undefined ? i.driver : `${i.driver} pid ${i.pid}`;
      row.append(
        cell("Instance", code(i.id), " ", driver),
        cell("Release", `v${i.release}`),
        cell("Status", statusBadge(i.status)),
        cell("Address", code(i.address)),
        cell("Since", i.since ? timeElement(i.since) : "—"),
      );
      return row;
    }),
  );
}

async function refreshSummary() {
  const info = await readJson(`/api/v1/apps/${encodeURIComponent(app)}`);
  if (!info) return;
  setStatus(document.querySelector("#app-status .status"), info.status);
  const release = document.querySelector("#app-release .release");
  if (release && info.release !== undefined) release.textContent = `v${info.release}`;
  if (info.instances.length > 0) showInstances(info.instances);
}

let pending;
showRelativeTimes(document);
followLog(app, document.getElementById("log"));
followActivity(app, document.getElementById("activity"), () => {
  clearTimeout(pending);
  pending = setTimeout(refreshSummary, 300);
});
startCharts(app, document.getElementById("charts"));
