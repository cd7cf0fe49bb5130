import { formatAddress, sameAddress } from "../../address.js";
import {
  httpBackend,
  servesHttp,
  servesTcp,
  tcpBackend,
  type HaproxyApp,
  type HaproxyModel,
} from "./haproxy-model.js";

export interface RuntimeStep {
  command: string;
  /** A refusal is expected sometimes and harmless (deleting a server that still has connections). */
  mayFail?: boolean;
}

const weight = (state: "ready" | "draining"): number => (state === "ready" ? 1 : 0);

/**
 * What a server of the shared listener's backends needs to keep idle connections (http-reuse): a
 * server added at runtime keeps none unless told, unlike one in the config file.
 */
const HTTP_POOL = " pool-max-conn -1 pool-purge-delay 5s";

function backendSteps(proxy: string, before: HaproxyApp, after: HaproxyApp, extra = ""): RuntimeStep[] {
  const steps: RuntimeStep[] = [];
  const old = new Map(before.backends.map((b) => [b.id, b]));
  for (const backend of after.backends) {
    const was = old.get(backend.id);
    const server = `${proxy}/${backend.id}`;
    if (was === undefined) {
      steps.push(
        {
          command: `add server ${server} ${formatAddress(backend.address)} weight ${weight(backend.state)}${extra}`,
        },
        { command: `enable server ${server}` },
      );
      continue;
    }
    if (!sameAddress(was.address, backend.address))
      steps.push({
        command: `set server ${server} addr ${backend.address.host} port ${backend.address.port}`,
      });
    if (was.state !== backend.state)
      steps.push({ command: `set server ${server} weight ${weight(backend.state)}` });
  }
  const kept = new Set(after.backends.map((b) => b.id));
  for (const backend of before.backends) {
    if (kept.has(backend.id)) continue;
    // Open connections stay until they end; a server that still has some is dropped at the next reload.
    steps.push(
      { command: `set server ${proxy}/${backend.id} state maint` },
      { command: `del server ${proxy}/${backend.id}`, mayFail: true },
    );
  }
  return steps;
}

/**
 * The runtime API commands that turn `applied` into `desired` when both have the same structure
 * (structureKey): backends and hostnames only. Pure.
 */
export function planRuntime(applied: HaproxyModel, desired: HaproxyModel, mapPath: string): RuntimeStep[] {
  const before = new Map(applied.apps.map((a) => [a.app, a]));
  const steps: RuntimeStep[] = [];
  for (const app of desired.apps) {
    const was = before.get(app.app);
    if (was === undefined) continue;
    if (servesTcp(app)) steps.push(...backendSteps(tcpBackend(app.app), was, app));
    if (servesHttp(app)) steps.push(...backendSteps(httpBackend(app.app), was, app, HTTP_POOL));
    if (was.hostname !== null && app.hostname !== null && was.hostname !== app.hostname)
      steps.push(
        { command: `del map ${mapPath} ${was.hostname}`, mayFail: true },
        { command: `add map ${mapPath} ${app.hostname} ${httpBackend(app.app)}` },
      );
  }
  return steps;
}
