import type { AgentHandle } from "../agent/index.js";
import { readStatus } from "../agent/index.js";
import { serializeError, SkiffError } from "../errors/index.js";
import { resolveAppUrl } from "./app-url.js";
import { readFailedInstanceLog } from "./deploy-failure.js";
import type { DeployWatch } from "./deploy-watch.js";
import type { DeployOutcome, DeployRequest } from "./push-pipeline.js";

export interface EmbeddedDeployOptions {
  agent: AgentHandle;
  /** The embedded agent's data dir. */
  agentData: string;
  /** A sink on the agent's events: tells when a release switches in or fails. */
  watch: DeployWatch;
  /** Host name in URLs instead of the proxy's listen host. */
  publicHost: string | undefined;
  /** Upper bound on one deploy (the health check has its own, shorter timeout). */
  timeoutMs?: number;
}

/** Asks the embedded agent for a pass now and reports as soon as the stored release serves or fails. */
export function createEmbeddedDeploy(
  options: EmbeddedDeployOptions,
): (request: DeployRequest) => Promise<DeployOutcome> {
  // The failed instance's last lines go with the failure: the pusher sees why without logging in.
  return async (request) => {
    const withLog = async (outcome: Extract<DeployOutcome, { ok: false }>): Promise<DeployOutcome> => {
      const log = await readFailedInstanceLog(options.agentData, request.app, request.release);
      return log ? { ...outcome, log } : outcome;
    };
    const watched = options.watch.waitFor(request.app, request.release);
    try {
      // The pass may go on after the switch (blue-green keeps the old instance through its confirmation window).
      const stored = { app: request.app, release: request.release };
      const pass = options.agent.reconcileNow(stored).then(() => undefined);
      const first = await withTimeout(Promise.race([watched.outcome, pass]), options.timeoutMs ?? 300_000);
      const status = (await readStatus(options.agentData)).find((s) => s.app === request.app);
      // What still takes traffic, so current can go back to it after a failure.
      const serving =
        status?.status === "running" && status.release !== request.release ? status.release : undefined;
      if (first?.ok === false) return withLog({ ...first, ...(serving === undefined ? {} : { serving }) });
      const url = status ? resolveAppUrl(status, options.publicHost) : undefined;
      if (first?.ok) return { ok: true, url };
      if (status?.release === request.release && status.status === "running") return { ok: true, url };
      const failure =
        status?.lastDeploy?.release === request.release ? status.lastDeploy.error : status?.lastError;
      return withLog({
        ok: false,
        ...(serving === undefined ? {} : { serving }),
        error: failure ?? {
          code: "ERR_SKIFF_DEPLOY_FAILED",
          message: `release ${request.release} of ${request.app} is not running (status: ${status?.status ?? "none"})`,
          hint: "see the agent's events in the server's data dir (agent/events.jsonl)",
        },
      });
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    } finally {
      watched.cancel();
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SkiffError(
            "ERR_SKIFF_DEPLOY_FAILED",
            `the deploy did not finish within ${Math.round(ms / 1000)}s`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
