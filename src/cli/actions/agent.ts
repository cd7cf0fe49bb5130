import { resolve } from "node:path";
import {
  describeAction,
  startAgent,
  type AgentOptions,
  type PassResult,
  type AgentHandle,
} from "../../agent/index.js";
import { parseDuration } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";
import { normalizeLocation, redactUrl } from "../../git/index.js";
import { createLogger } from "../../log/index.js";
import { loadNotifySecret } from "../../notify/index.js";
import type { HostMetrics } from "../../metrics/index.js";
import { readSecretFile, startWebhookListener, type HttpListener } from "../../server/index.js";
import { printJson, say } from "../output.js";
import { hostOptions, type HostCommandOptions } from "../host-options.js";
import { loadHostKey, loadTrustPolicy } from "../trust-options.js";
import { runStageAgentCommand } from "./stage.js";

export interface AgentCommandOptions extends HostCommandOptions {
  repo: string;
  data: string;
  poll: string;
  once?: boolean;
  dryRun?: boolean;
  notify: string[];
  notifyTimeout: string;
  notifyRetry: string;
  notifySecretFile?: string;
  follow: string;
  stage: string;
  host?: string;
  json?: boolean;
  trust: string[];
  threshold?: string;
  hostKey?: string;
  allowUnsigned?: boolean;
  listen?: string;
  webhookSecretFile?: string;
  key: string[];
}

/** The trust part of the agent's options, loaded from --trust, --threshold, --host-key, --allow-unsigned. */
function trustOptions(
  options: AgentCommandOptions,
): Pick<AgentOptions, "trust" | "hostKey" | "allowUnsigned"> {
  const trust = loadTrustPolicy(options.trust, options.threshold);
  const hostKey = loadHostKey(options.hostKey);
  return {
    ...(trust ? { trust } : {}),
    ...(hostKey ? { hostKey } : {}),
    ...(options.allowUnsigned ? { allowUnsigned: true } : {}),
  };
}

function notifySecretOption(file: string | undefined): Pick<AgentOptions, "notifySecret"> {
  const secret = loadNotifySecret({
    ...(file === undefined ? {} : { file: resolve(file) }),
    env: process.env,
  });
  return secret === undefined ? {} : { notifySecret: secret };
}

function reportPass(result: PassResult, json: boolean | undefined): void {
  if (json) {
    printJson(result);
    return;
  }
  if (result.dryRun) {
    for (const action of result.actions) process.stdout.write(describeAction(action) + "\n");
    if (result.actions.length === 0) say("nothing to do: every app runs what its pointer names");
    return;
  }
  for (const outcome of result.outcomes) {
    say(
      `${outcome.ok ? "ok  " : "FAIL"} ${describeAction(outcome.action)}${outcome.error ? ` — ${outcome.error.code}: ${outcome.error.message}` : ""}`,
    );
  }
  if (result.outcomes.length === 0)
    say(`nothing to do at ${result.commit?.slice(0, 12) ?? "an empty repository"}`);
}

/** --listen: POST /hooks/git asks for an immediate fetch; polling stays on for lost webhooks. */
async function listenForWebhooks(
  options: AgentCommandOptions,
  trigger: AgentHandle["trigger"],
  metrics: HostMetrics | undefined,
): Promise<HttpListener | undefined> {
  if (options.listen === undefined) return undefined;
  if (options.webhookSecretFile === undefined) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--listen needs --webhook-secret-file", {
      hint: "put the secret the server or GitHub signs with in a file: --webhook-secret-file F",
    });
  }
  const listener = await startWebhookListener({
    listen: options.listen,
    secret: readSecretFile(resolve(options.webhookSecretFile)),
    data: resolve(options.data),
    trigger,
    ...(metrics ? { metrics } : {}),
  });
  say(`webhooks: POST ${listener.url}/hooks/git, metrics: GET ${listener.url}/metrics`);
  return listener;
}

/** `skiff agent`: a production agent (or, with --stage staging, a staging one) until stopped or --once. */
export async function runAgentCommand(options: AgentCommandOptions): Promise<void> {
  if (options.stage === "staging") return runStageAgentCommand(options);
  if (options.stage !== "production") {
    throw new SkiffError("ERR_SKIFF_USAGE", `--stage ${options.stage} is neither staging nor production`, {
      hint: "use --stage staging for a staging agent; production is the default",
    });
  }
  if (options.key.length > 0) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--key signs promotions; only a staging agent promotes", {
      hint: "use --key with --stage staging; a production agent verifies with --trust",
    });
  }
  if (options.follow !== "current" && options.follow !== "staging") {
    throw new SkiffError("ERR_SKIFF_USAGE", `--follow ${options.follow} is neither current nor staging`, {
      hint: "use --follow current (default) or --follow staging",
    });
  }
  // --listen serves the agent's metrics too; they count from this start.
  const metrics =
    options.listen === undefined
      ? undefined
      : (await import("../../metrics/index.js")).createHostMetrics({ agentData: resolve(options.data) });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const handle = await startAgent({
      repo: normalizeLocation(options.repo),
      data: resolve(options.data),
      pollMs: parseDuration(options.poll),
      notify: options.notify,
      notifyTimeoutMs: parseDuration(options.notifyTimeout),
      notifyRetryMs: parseDuration(options.notifyRetry),
      ...notifySecretOption(options.notifySecretFile),
      follow: options.follow,
      signal: abort.signal,
      ...(metrics ? { sinks: [metrics.sink] } : {}),
      ...(options.once ? { once: true } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.host ? { host: options.host } : {}),
      // One pass at a terminal: the human summary below says what happened; JSON logs only for warnings.
      ...(options.once || options.dryRun
        ? { logger: createLogger("skiff-agent", { defaultLevel: "warn" }) }
        : {}),
      ...trustOptions(options),
      ...hostOptions(options),
    });
    if (options.once || options.dryRun) {
      const result = handle.status().lastPass;
      if (result !== undefined) reportPass(result, options.json);
      const failed = result?.outcomes.filter((o) => !o.ok) ?? [];
      if (failed.length > 0) {
        throw new SkiffError(
          "ERR_SKIFF_DEPLOY_FAILED",
          `${failed.length} of ${result?.outcomes.length} action(s) failed: ${failed.map((o) => o.action.app).join(", ")}`,
          {
            hint: "what ran before keeps running; see skiff status --data D and the events in D/events.jsonl",
          },
        );
      }
      return;
    }
    say(
      `skiff agent following ${options.follow} of ${redactUrl(options.repo)} every ${options.poll} (Ctrl-C stops the agent, instances keep running)`,
    );
    const hooks = await listenForWebhooks(options, handle.trigger.bind(handle), metrics).catch(
      async (error: unknown) => {
        await handle.stop();
        throw error;
      },
    );
    try {
      await handle.closed;
    } finally {
      await hooks?.close();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
