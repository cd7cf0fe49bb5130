import type { AppSummary, InstanceView } from "../../server/api/index.js";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { SkiffError } from "../../errors/index.js";
import { printJson, printTable, say } from "../output.js";
import { appPath, chooseApp, connect, type RemoteOptions } from "./target.js";

interface AppInfo extends AppSummary {
  gitUrl: string;
  releases: number;
  staging?: number;
  instances: InstanceView[];
  confirming?: { release: number; since: string };
}

function describeStatus(app: AppSummary): string {
  if (app.building) return `${app.status}, building`;
  if (app.waiting) return `${app.status}, push waiting`;
  return app.status;
}

/** `skiff apps`: the server's apps with release, status and URL. */
export async function listRemoteApps(options: RemoteOptions): Promise<void> {
  const { apps } = await connect().get<{ apps: AppSummary[] }>("/apps");
  if (options.json) return printJson({ apps });
  if (apps.length === 0) return say("no apps yet: skiff apps:create NAME, then git push");
  printTable([
    ["APP", "RELEASE", "CURRENT", "STATUS", "URL"],
    ...apps.map((a) => [
      a.app,
      a.release === undefined ? "-" : String(a.release),
      a.current === undefined ? "-" : String(a.current),
      describeStatus(a),
      a.url ?? "-",
    ]),
  ]);
}

/** `skiff apps:info`: one app in detail. */
export async function showRemoteApp(app: string | undefined, options: RemoteOptions): Promise<void> {
  const name = chooseApp(app, options);
  const info = await connect().get<AppInfo>(appPath(name));
  if (options.json) return printJson(info);
  const rows: [string, string][] = [
    ["app", info.app],
    ["status", describeStatus(info)],
    ["release", info.release === undefined ? "-" : String(info.release)],
    ["current", info.current === undefined ? "-" : String(info.current)],
    ...(info.staging === undefined ? [] : ([["staging", String(info.staging)]] as [string, string][])),
    ["releases", String(info.releases)],
    ["url", info.url ?? "-"],
    ["git", info.gitUrl],
    ...(info.confirming
      ? ([["confirming", `release ${info.confirming.release} since ${info.confirming.since}`]] as [
          string,
          string,
        ][])
      : []),
    [
      "last deploy",
      info.lastDeploy
        ? `${info.lastDeploy.release} ${info.lastDeploy.ok ? "ok" : "failed"} ${info.lastDeploy.at}`
        : "-",
    ],
    ["last error", info.lastError ? `${info.lastError.code}: ${info.lastError.message}` : "-"],
    ...info.instances.map((i): [string, string] => [
      "instance",
      `${i.id} ${i.status} ${i.address} since ${i.since}`,
    ]),
  ];
  printTable(rows.map(([key, value]) => [`${key}:`, value]));
}

/** `skiff apps:create NAME` against a server. */
export async function createRemoteApp(name: string, options: RemoteOptions): Promise<void> {
  const created = await connect().send<{ app: string; gitUrl: string }>("POST", "/apps", { name });
  if (options.json) return printJson(created);
  say(`created ${created.app}; push to it:`);
  say(`  git remote add skiff ${created.gitUrl} && git push skiff main`);
}

/** `skiff apps:destroy APP --confirm APP [--purge]`. */
export async function destroyRemoteApp(
  app: string | undefined,
  options: RemoteOptions & { confirm?: string; purge?: boolean },
): Promise<void> {
  const name = chooseApp(app, options);
  await confirmDestroy(name, options.confirm);
  const destroyed = await connect().send<{ stoppedInstance?: string; removedReleases: number[] }>(
    "DELETE",
    `${appPath(name)}${options.purge ? "?purge=true" : ""}`,
  );
  if (options.json) return printJson(destroyed);
  say(
    `destroyed ${name}${destroyed.stoppedInstance ? ` (stopped ${destroyed.stoppedInstance})` : ""}; followers stop it when they see the change`,
  );
  if (options.purge) say(`removed releases: ${destroyed.removedReleases.join(", ") || "none"}`);
  else say("its releases stay in the deployment repository (--purge removes them)");
}

async function confirmDestroy(app: string, confirm: string | undefined): Promise<void> {
  if (confirm === app) return;
  if (confirm !== undefined || !process.stdin.isTTY) {
    throw new SkiffError("ERR_SKIFF_USAGE", `destroying ${app} needs --confirm ${app}`, {
      hint: `skiff apps:destroy ${app} --confirm ${app}`,
    });
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const typed = await prompt.question(`This stops ${app} on every host. Type its name to confirm: `);
    if (typed.trim() !== app) {
      throw new SkiffError("ERR_SKIFF_USAGE", "the name typed does not match; nothing was destroyed", {
        hint: `skiff apps:destroy ${app} --confirm ${app}`,
      });
    }
  } finally {
    prompt.close();
  }
}

/** `skiff open`: prints the app's URL, and opens it in a browser at a terminal. */
export async function openRemoteApp(
  app: string | undefined,
  options: RemoteOptions & { browser?: boolean },
): Promise<void> {
  const name = chooseApp(app, options);
  const info = await connect().get<AppSummary>(appPath(name));
  if (info.url === undefined) {
    throw new SkiffError("ERR_SKIFF_NOT_RUNNING", `${name} does not serve (status ${info.status})`, {
      hint: `see why with skiff apps:info ${name} and skiff logs ${name}`,
    });
  }
  process.stdout.write(info.url + "\n");
  if (options.browser === false || !process.stdout.isTTY) return;
  const opener = process.platform === "darwin" ? "open" : "xdg-open";
  const child = spawn(opener, [info.url], { stdio: "ignore", detached: true });
  child.on("error", () => say(`(no ${opener} here: open the URL yourself)`));
  child.unref();
}
