import type { AgentHandle } from "../agent/index.js";
import { readStatus } from "../agent/index.js";
import { serializeError, SkiffError } from "../errors/index.js";
import { resolveAppUrl } from "./app-url.js";
import type { DeployOutcome, DeployRequest } from "./push-pipeline.js";

export interface EmbeddedDeployOptions {
  agent: AgentHandle;
  /** The embedded agent's data dir. */
  agentData: string;
  /** Host name in URLs when an app publishes on 0.0.0.0 or ::. */
  publicHost: string | undefined;
  /** Upper bound on one deploy (the health check has its own, shorter timeout). */
  timeoutMs?: number;
}

/** Asks the embedded agent for a pass now and reports whether the stored release serves. */
export function createEmbeddedDeploy(
  options: EmbeddedDeployOptions,
): (request: DeployRequest) => Promise<DeployOutcome> {
  return async (request) => {
    try {
      await withTimeout(options.agent.reconcileNow(), options.timeoutMs ?? 300_000);
      const status = (await readStatus(options.agentData)).find((s) => s.app === request.app);
      if (status?.release === request.release && status.status === "running") {
        const url = resolveAppUrl({
          ...request,
          agentData: options.agentData,
          address: status.address,
          publicHost: options.publicHost,
        });
        return { ok: true, url };
      }
      const failure =
        status?.lastDeploy?.release === request.release ? status.lastDeploy.error : status?.lastError;
      return {
        ok: false,
        error: failure ?? {
          code: "ERR_SKIFF_DEPLOY_FAILED",
          message: `release ${request.release} of ${request.app} is not running (status: ${status?.status ?? "none"})`,
          hint: `see the agent's events in the server's data dir (agent/events.jsonl)`,
        },
      };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
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
