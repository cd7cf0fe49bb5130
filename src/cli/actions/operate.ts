import { resolve } from "node:path";
import { readLogs, readStatus, startApp, stopApp, type AppStatus } from "../../agent/index.js";
import { SkiffError } from "../../errors/index.js";
import { printJson, printTable, say } from "../output.js";

function describeRefusal(refusal: AppStatus["lastRefusal"]): string {
  if (refusal === undefined) return "-";
  const what = refusal.release === undefined ? "" : `release ${refusal.release} `;
  return `${what}${refusal.error.code} ${refusal.at}${refusal.active ? "" : " (since accepted)"}`;
}

/** `skiff status`: one row per app deployed with this data dir. */
export async function printStatus(options: { data: string; json?: boolean }): Promise<void> {
  const rows = await readStatus(resolve(options.data));
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
    ]),
  ]);
}

/** `skiff stop APP`. */
export async function stopAppCommand(app: string, options: { data: string }): Promise<void> {
  const instance = await stopApp(resolve(options.data), app);
  say(
    instance
      ? `stopped ${instance.id} (release ${instance.release})`
      : `${app} had no instance; marked stopped`,
  );
}

/** `skiff start APP`. */
export async function startAppCommand(app: string, options: { data: string }): Promise<void> {
  await startApp(resolve(options.data), app);
  say(`${app} will be started by the agent's next pass`);
}

/** `skiff logs APP`: the last lines of its instance log. */
export async function printLogs(app: string, options: { data: string; lines: string }): Promise<void> {
  const count = Number(options.lines);
  if (!Number.isInteger(count) || count < 0) {
    throw new SkiffError("ERR_SKIFF_USAGE", `-n ${options.lines} is not a number of lines`, {
      hint: "pass -n 100",
    });
  }
  for (const line of await readLogs(resolve(options.data), app, count)) process.stdout.write(line + "\n");
}
