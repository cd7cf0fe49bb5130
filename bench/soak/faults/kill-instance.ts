import { readStatus } from "../addresses.js";
import { sigkill, type FaultContext, type FaultOutcome } from "./context.js";

/** SIGKILL of the instance `skiff status` says serves a random app on a random host. */
export async function killInstance(ctx: FaultContext): Promise<FaultOutcome> {
  const host = ctx.random.pick(ctx.hosts.hosts);
  const app = ctx.random.pick(ctx.apps).name;
  const observedAt = Date.now();
  const row = (await readStatus(host, ctx.dir.env))?.find((r) => r.app === app);
  const at = Date.now();
  if (row?.pid === undefined) {
    return {
      kind: "kill-instance",
      at,
      host: host.name,
      apps: [app],
      target: app,
      skipped: "skiff status shows no instance pid",
    };
  }
  const killed = sigkill(row.pid);
  return {
    kind: "kill-instance",
    at: Date.now(),
    host: host.name,
    apps: [app],
    observedAt,
    pid: row.pid,
    target: `instance ${row.instance ?? "?"} (release ${row.release ?? "?"}, pid ${row.pid})`,
    ...(killed ? {} : { skipped: "it exited before the kill" }),
  };
}
