import { printJson, say } from "../output.js";
import { printReleaseTable, type ReleaseRow } from "../release-table.js";
import { appPath, chooseApp, connect, type RemoteOptions } from "./target.js";
import { lastDeployBefore, waitUntilServing } from "./wait-serving.js";

interface PointerChange {
  app: string;
  from?: number;
  to: number;
  changed: boolean;
}

export interface ChangeOptions extends RemoteOptions {
  /** commander's --no-wait */
  wait?: boolean;
}

/** `skiff releases` against a server. */
export async function listRemoteReleases(app: string | undefined, options: RemoteOptions): Promise<void> {
  const name = chooseApp(app, options);
  const { releases } = await connect().get<{ releases: ReleaseRow[] }>(appPath(name, "/releases"));
  if (options.json) return printJson(releases);
  printReleaseTable(releases);
}

/** Moves current on the server, says so, and (unless --no-wait) waits until the server serves it. */
async function moveCurrent(
  app: string | undefined,
  options: ChangeOptions,
  change: {
    action: "rollback" | "promote";
    body: Record<string, unknown>;
    done: (change: PointerChange) => string;
  },
): Promise<void> {
  const name = chooseApp(app, options);
  const client = connect();
  const before = options.wait === false ? undefined : await lastDeployBefore(client, name);
  const moved = await client.send<PointerChange>("POST", appPath(name, `/${change.action}`), change.body);
  if (options.json) printJson(moved);
  say(moved.changed ? change.done(moved) : `${name} is already at release ${moved.to}`);
  if (moved.changed && options.wait !== false) await waitUntilServing(client, name, moved.to, before);
}

/** `skiff rollback [--to N]` against a server: current moves, the server deploys it at once. */
export function rollbackRemote(
  app: string | undefined,
  options: ChangeOptions & { to?: number },
): Promise<void> {
  return moveCurrent(app, options, {
    action: "rollback",
    body: options.to === undefined ? {} : { to: options.to },
    done: (moved) => `rolled back ${moved.app}: current is release ${moved.to} (was ${moved.from ?? "none"})`,
  });
}

/** `skiff promote [N] [--force]` against a server. */
export function promoteRemote(
  app: string | undefined,
  release: number | undefined,
  options: ChangeOptions & { force?: boolean },
): Promise<void> {
  return moveCurrent(app, options, {
    action: "promote",
    body: { ...(release === undefined ? {} : { release }), ...(options.force ? { force: true } : {}) },
    done: (moved) => `promoted ${moved.app} release ${moved.to} to current (was ${moved.from ?? "none"})`,
  });
}
