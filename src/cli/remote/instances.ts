import type { InstanceView as Instance } from "../../server/api/index.js";
import { printJson, printTable, say } from "../output.js";
import { appPath, chooseApp, connect, type RemoteOptions } from "./target.js";

/** `skiff ps`: the app's instances on the server. */
export async function listRemoteInstances(app: string | undefined, options: RemoteOptions): Promise<void> {
  const name = chooseApp(app, options);
  const { instances } = await connect().get<{ instances: Instance[] }>(appPath(name, "/instances"));
  if (options.json) return printJson(instances);
  if (instances.length === 0) return say(`${name} has no instance on the server`);
  printTable([
    ["INSTANCE", "RELEASE", "DRIVER", "STATUS", "ADDRESS", "PID", "SINCE"],
    ...instances.map((i) => [
      i.id,
      String(i.release),
      i.driver,
      i.status,
      i.address,
      i.pid === undefined ? "-" : String(i.pid),
      i.since,
    ]),
  ]);
}

const DONE = {
  stop: (app: string, instance?: string) =>
    `stopped ${app}${instance ? ` (${instance})` : ""}; it stays stopped until current changes or skiff start`,
  start: (app: string) => `${app} is starting: the server's agent boots current now`,
  restart: (app: string) => `${app} is restarting: a new instance of current boots now`,
};

/** `skiff stop`, `start`, `restart` against a server. */
export async function actOnRemoteApp(
  action: "stop" | "start" | "restart",
  app: string | undefined,
  options: RemoteOptions,
): Promise<void> {
  const name = chooseApp(app, options);
  const result = await connect().send<{ instance?: string }>("POST", appPath(name, `/${action}`));
  if (options.json) return printJson(result);
  say(DONE[action](name, result.instance));
}
