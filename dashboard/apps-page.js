// The apps list: times shown relative; each app's status and release refreshed every 5 s.
import { readJson, setStatus } from "./status.js";
import { showRelativeTimes } from "./times.js";

showRelativeTimes(document);

async function refresh() {
  const answer = await readJson("/api/v1/apps");
  for (const app of answer?.apps ?? []) {
    const row = document.querySelector(`tr[data-app="${CSS.escape(app.app)}"]`);
    if (!row) continue;
    setStatus(row.querySelector("[data-status]"), app.status);
    const release = row.querySelector(".release");
    if (release && app.release !== undefined) release.textContent = `v${app.release}`;
  }
}
setInterval(refresh, 5000);
