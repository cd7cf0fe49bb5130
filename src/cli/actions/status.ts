// `skiff status --data D` must start fast: it reads the agent's light front door, never agent/index.js.
import { readStatus, type AppStatus } from "../../agent/light.js";
import { agentDataOf } from "../host-data.js";
import { printJson, printTable, say } from "../output.js";

function describeRefusal(refusal: AppStatus["lastRefusal"]): string {
  if (refusal === undefined) return "-";
  const what = refusal.release === undefined ? "" : `release ${refusal.release} `;
  return `${what}${refusal.error.code} ${refusal.at}${refusal.active ? "" : " (since accepted)"}`;
}

/** A pending retry after a host fault: "release 3 try 2 at <time> (ERR_SKIFF_DISK_FULL)". */
function describeRetry(retry: AppStatus["retry"]): string {
  if (retry === undefined) return "-";
  return `release ${retry.release} try ${retry.attempt + 1} at ${retry.at} (${retry.code})`;
}

/** `skiff status`: one row per app deployed with this data dir. */
export async function printStatus(options: { data: string; json?: boolean }): Promise<void> {
  const rows = await readStatus(agentDataOf(options.data));
  if (options.json) {
    printJson(rows);
    return;
  }
  if (rows.length === 0) {
    say(`no app has been deployed with data dir ${options.data}`);
    return;
  }
  printTable([
    [
      "APP",
      "RELEASE",
      "DRIVER",
      "PID",
      "URL",
      "ADDRESS",
      "STATUS",
      "SINCE",
      "LAST DEPLOY",
      "LAST ERROR",
      "LAST REFUSAL",
      "RETRY",
    ],
    ...rows.map((r) => [
      r.app,
      r.release === undefined ? "-" : String(r.release),
      r.driver ?? "-",
      r.pid === undefined ? "-" : String(r.pid),
      r.url ?? "-",
      r.address ?? "-",
      r.crashLoop ? `crash-loop (${r.crashLoop.restarts} restarts)` : r.status,
      r.since ?? "-",
      r.lastDeploy ? `${r.lastDeploy.release} ${r.lastDeploy.ok ? "ok" : "failed"} ${r.lastDeploy.at}` : "-",
      r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : "-",
      describeRefusal(r.lastRefusal),
      describeRetry(r.retry),
    ]),
  ]);
  const replicas = rows.flatMap((r) => r.instances.map((i) => ({ app: r.app, ...i })));
  if (replicas.length === 0) return;
  say("");
  printTable([
    ["APP", "INSTANCE", "RELEASE", "ADDRESS", "STATUS", "REASON", "SINCE"],
    ...replicas.map((i) => [i.app, i.id, String(i.release), i.address, i.status, i.reason, i.since]),
  ]);
}
