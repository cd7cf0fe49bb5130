import { printJson, printTable, say } from "../output.js";
import { appPath, chooseApp, connect, type RemoteOptions } from "./target.js";
import { lastDeployBefore, waitUntilServing } from "./wait-serving.js";
import type { ChangeOptions } from "./releases.js";

interface ConfigChanged {
  app: string;
  release: number;
  from: number;
  pointer: "current" | "staging";
  env: Record<string, string>;
  changed: boolean;
}

/** `skiff config` against a server. */
export async function showRemoteConfig(app: string | undefined, options: RemoteOptions): Promise<void> {
  const name = chooseApp(app, options);
  const vars = await connect().get<{ app: string; release: number; env: Record<string, string> }>(
    appPath(name, "/config"),
  );
  if (options.json) return printJson(vars);
  say(`${name} release ${vars.release}`);
  if (Object.keys(vars.env).length === 0) say("no config vars");
  else printTable(Object.entries(vars.env).map(([key, value]) => [key, value]));
}

/** `skiff config:set` / `config:unset` against a server: a new release, deployed at once. */
export async function changeRemoteConfig(
  app: string | undefined,
  change: { set?: Record<string, string>; unset?: string[] },
  options: ChangeOptions,
): Promise<void> {
  const name = chooseApp(app, options);
  const client = connect();
  const before = options.wait === false ? undefined : await lastDeployBefore(client, name);
  const result = await client.send<ConfigChanged>("PATCH", appPath(name, "/config"), change);
  if (options.json) printJson(result);
  say(
    result.changed
      ? `${name}: release ${result.release} (image of release ${result.from}) is ${result.pointer}`
      : `${name}: nothing changed, release ${result.release} stays ${result.pointer}`,
  );
  if (result.changed && result.pointer === "current" && options.wait !== false)
    await waitUntilServing(client, name, result.release, before);
}
