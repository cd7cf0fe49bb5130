import { hostname } from "node:os";
import { resolve } from "node:path";
import {
  describeAction,
  startAgent,
  type AgentOptions,
  type PassResult,
  type AgentHandle,
  type LoopOptions,
} from "../../agent/index.js";
import { parseDuration } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";
import { normalizeLocation, redactUrl } from "../../git/index.js";
import type { EventSink } from "../../events/index.js";
import { createLogger } from "../../log/index.js";
import { loadNotifySecret } from "../../notify/index.js";
import type { HostMetrics } from "../../metrics/index.js";
import { readSecretFile, startWebhookListener, type HttpListener } from "../../server/index.js";
import { parseAddress } from "../../proxy/index.js";
import { printJson, say } from "../output.js";
import { parseWhole } from "../parse-number.js";
import { withRepoToken } from "../repo-token.js";
import { hostOptions, type HostCommandOptions } from "../host-options.js";
import { loadHostKey, loadTrustPolicy } from "../trust-options.js";
import { reportStagePass, stageSignerOption } from "./stage.js";

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
  fleet?: string;
  fleetPrefix?: string;
  label: string[];
  fleetTtl: string;
  fleetOptional?: boolean;
  repoTokenFile?: string;
  front?: string;
  frontIndex?: boolean;
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

/** The flags every agent takes, production or staging: they mean the same for both. */
function loopOptions(options: AgentCommandOptions, signal: AbortSignal, sinks: EventSink[]): LoopOptions {
  return {
    repo: normalizeLocation(options.repo),
    data: resolve(options.data),
    pollMs: parseDuration(options.poll),
    notify: options.notify,
    notifyTimeoutMs: parseDuration(options.notifyTimeout),
    notifyRetryMs: parseDuration(options.notifyRetry),
    ...notifySecretOption(options.notifySecretFile),
    signal,
    ...(sinks.length > 0 ? { sinks } : {}),
    ...(options.once ? { once: true } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.host ? { host: options.host } : {}),
    // One pass at a terminal: the human summary says what happened; JSON logs only for warnings.
    ...(options.once || options.dryRun
      ? { logger: createLogger("skiff-agent", { defaultLevel: "warn" }) }
      : {}),
    ...trustOptions(options),
    ...frontOptions(options),
  };
}

/** --front and --front-index: the host's shared listener, checked here so a typo is a usage error. */
export function frontOptions(options: {
  front?: string;
  frontIndex?: boolean;
}): Pick<LoopOptions, "front" | "frontIndex"> {
  if (options.front !== undefined) parseAddress(options.front);
  return {
    ...(options.front === undefined ? {} : { front: options.front }),
    ...(options.frontIndex ? { frontIndex: true } : {}),
  };
}

/** `--fleet …`: how this host joins the fleet (its name: --host, else the machine's). */
async function fleetOption(options: AgentCommandOptions): Promise<Pick<AgentOptions, "fleetJoin">> {
  if (options.fleet === undefined) return {};
  const { parseFleetEndpoints, parseLabels } = await import("../../fleet/index.js");
  return {
    fleetJoin: {
      endpoints: parseFleetEndpoints(options.fleet),
      host: options.host ?? hostname(),
      labels: parseLabels(options.label),
      ttlSeconds: parseWhole(options.fleetTtl, "--fleet-ttl"),
      ...(options.fleetPrefix === undefined ? {} : { prefix: options.fleetPrefix }),
      ...(options.fleetOptional ? { optional: true } : {}),
    },
  };
}

function checkAgentFlags(options: AgentCommandOptions): void {
  const fleetOnly = options.fleetPrefix ?? options.fleetOptional ?? (options.label.length > 0 || undefined);
  if (options.fleet === undefined && fleetOnly !== undefined) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--fleet-prefix, --label and --fleet-optional need --fleet", {
      hint: "add --fleet http://127.0.0.1:2379 (etcd's client URL), or drop them",
    });
  }
  if (options.fleet !== undefined && options.stage === "staging") {
    throw new SkiffError("ERR_SKIFF_USAGE", "a staging agent does not join a fleet", {
      hint: "drop --fleet with --stage staging: rollouts coordinate production hosts",
    });
  }
  if (options.stage !== "production" && options.stage !== "staging") {
    throw new SkiffError("ERR_SKIFF_USAGE", `--stage ${options.stage} is neither staging nor production`, {
      hint: "use --stage staging for a staging agent; production is the default",
    });
  }
  if (options.stage === "production" && options.key.length > 0) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--key signs promotions; only a staging agent promotes", {
      hint: "use --key with --stage staging; a production agent verifies with --trust",
    });
  }
  if (options.follow !== "current" && options.follow !== "staging") {
    throw new SkiffError("ERR_SKIFF_USAGE", `--follow ${options.follow} is neither current nor staging`, {
      hint: "use --follow current (default) or --follow staging",
    });
  }
  if (options.listen !== undefined && (options.once || options.dryRun)) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      "--listen serves webhooks for a running agent, not for one pass",
      {
        hint: "drop --once / --dry-run to keep the agent running, or drop --listen",
      },
    );
  }
}

interface AgentRun {
  handle: { trigger: AgentHandle["trigger"]; stop: () => Promise<void>; closed: Promise<void> };
  /** After --once / --dry-run: prints what the pass did; throws when something failed. */
  report: () => void;
}

/** Starts the agent the flags ask for (the same loop either way) and, for one pass, reports it. */
async function startAgentFor(
  options: AgentCommandOptions,
  signal: AbortSignal,
  sinks: EventSink[],
): Promise<AgentRun> {
  const common = loopOptions(options, signal, sinks);
  const host = hostOptions(options);
  if (options.stage === "staging") {
    if (host.layout !== undefined) {
      throw new SkiffError("ERR_SKIFF_USAGE", "a staging agent reads skiff's layout only", {
        hint: "drop --layout mirage-2015 with --stage staging (a 2015 repository has no staging pointer)",
      });
    }
    const { startStageAgent } = await import("../../stage/index.js");
    const handle = await startStageAgent({ ...common, ...host, ...stageSignerOption(options.key) });
    return { handle, report: () => reportStagePass(handle.status().lastPass, options.json) };
  }
  const handle = await startAgent({
    ...common,
    ...host,
    follow: options.follow as "current" | "staging",
    ...(await fleetOption(options)),
  });
  return { handle, report: () => reportProductionPass(handle.status().lastPass, options.json) };
}

function reportProductionPass(result: PassResult | undefined, json: boolean | undefined): void {
  if (result === undefined) return;
  reportPass(result, json);
  const failed = result.outcomes.filter((o) => !o.ok);
  if (failed.length > 0) {
    throw new SkiffError(
      "ERR_SKIFF_DEPLOY_FAILED",
      `${failed.length} of ${result.outcomes.length} action(s) failed: ${failed.map((o) => o.action.app).join(", ")}`,
      {
        hint: "what ran before keeps running; see skiff status --data D and the events in D/events.jsonl",
      },
    );
  }
}

/** `skiff agent`: a production agent (or, with --stage staging, a staging one) until stopped or --once. */
export async function runAgentCommand(given: AgentCommandOptions): Promise<void> {
  // The token stays in its file on the command line (and in a unit): only the process sees it.
  const options = { ...given, repo: withRepoToken(given.repo, given.repoTokenFile) };
  checkAgentFlags(options);
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
    const { handle, report } = await startAgentFor(options, abort.signal, metrics ? [metrics.sink] : []);
    if (options.once || options.dryRun) {
      report();
      return;
    }
    const what =
      options.stage === "staging"
        ? "skiff staging agent following staging"
        : `skiff agent following ${options.follow}`;
    say(
      `${what} of ${redactUrl(options.repo)} every ${options.poll} (Ctrl-C stops the agent, instances keep running)`,
    );
    const hooks = await listenForWebhooks(options, handle.trigger, metrics).catch(async (error: unknown) => {
      await handle.stop();
      throw error;
    });
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
