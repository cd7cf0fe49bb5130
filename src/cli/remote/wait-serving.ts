import { setTimeout as sleep } from "node:timers/promises";
import type { ApiClient } from "../../client/index.js";
import { ERROR_CODES, SkiffError, type ErrorCode } from "../../errors/index.js";
import { formatMs, say } from "../output.js";
import { appPath } from "./target.js";

interface AppState {
  release?: number;
  status: string;
  url?: string;
  lastDeploy?: {
    release: number;
    ok: boolean;
    at: string;
    error?: { code: string; message: string; hint?: string };
  };
}

const WAIT_MS = 60_000;
const LOOK_EVERY_MS = 200;

/** What the server said before a change: a deploy result newer than this one is the change's. */
export async function lastDeployBefore(client: ApiClient, app: string): Promise<string | undefined> {
  return (await client.get<AppState>(appPath(app))).lastDeploy?.at;
}

/**
 * After a change of current: waits (bounded) until the server runs `release`, says where it
 * serves, or throws the deploy's error. Followers deploy on their own; this is the server's view.
 */
export async function waitUntilServing(
  client: ApiClient,
  app: string,
  release: number,
  before: string | undefined,
): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < WAIT_MS) {
    const state = await client.get<AppState>(appPath(app));
    if (state.release === release && (state.status === "running" || state.status === "confirming")) {
      say(
        `${app} release ${release} serves${state.url ? ` at ${state.url}` : ""} (${formatMs(performance.now() - started)})`,
      );
      return;
    }
    const deploy = state.lastDeploy;
    // Scaled to zero (deploy.scale.min 0): it passed its health check and sleeps until a connection comes.
    if (
      deploy &&
      deploy.at !== before &&
      deploy.release === release &&
      deploy.ok &&
      state.status === "asleep"
    ) {
      say(
        `${app} release ${release} passed its health check and sleeps until a connection arrives${state.url ? ` at ${state.url}` : ""} (${formatMs(performance.now() - started)})`,
      );
      return;
    }
    if (deploy && deploy.at !== before && deploy.release === release && !deploy.ok) {
      const code = deploy.error?.code ?? "ERR_SKIFF_DEPLOY_FAILED";
      throw new SkiffError(
        (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : "ERR_SKIFF_DEPLOY_FAILED",
        `release ${release} of ${app} failed to deploy on the server: ${deploy.error?.message ?? "see its events"}`,
        { hint: deploy.error?.hint ?? `skiff logs ${app} --release ${release}; skiff events -a ${app}` },
      );
    }
    await sleep(LOOK_EVERY_MS);
  }
  say(
    `the server has not deployed ${app} release ${release} yet; see skiff apps:info ${app} and skiff events -a ${app}`,
  );
}
