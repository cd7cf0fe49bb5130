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

/** `skiff rollback [--to N]` against a server: current moves, the server deploys it at once. */
export async function rollbackRemote(
  app: string | undefined,
  options: ChangeOptions & { to?: number },
): Promise<void> {
  const name = chooseApp(app, options);
  const client = connect();
  const before = options.wait === false ? undefined : await lastDeployBefore(client, name);
  const change = await client.send<PointerChange>("POST", appPath(name, "/rollback"), {
    ...(options.to === undefined ? {} : { to: options.to }),
  });
  if (options.json) printJson(change);
  say(
    change.changed
      ? `rolled back ${name}: current is release ${change.to} (was ${change.from ?? "none"})`
      : `${name} is already at release ${change.to}`,
  );
  if (change.changed && options.wait !== false) await waitUntilServing(client, name, change.to, before);
}

/** `skiff promote [N] [--force]` against a server. */
export async function promoteRemote(
  app: string | undefined,
  release: number | undefined,
  options: ChangeOptions & { force?: boolean },
): Promise<void> {
  const name = chooseApp(app, options);
  const client = connect();
  const before = options.wait === false ? undefined : await lastDeployBefore(client, name);
  const change = await client.send<PointerChange>("POST", appPath(name, "/promote"), {
    ...(release === undefined ? {} : { release }),
    ...(options.force ? { force: true } : {}),
  });
  if (options.json) printJson(change);
  say(
    change.changed
      ? `promoted ${name} release ${change.to} to current (was ${change.from ?? "none"})`
      : `${name} release ${change.to} is already current`,
  );
  if (change.changed && options.wait !== false) await waitUntilServing(client, name, change.to, before);
}
