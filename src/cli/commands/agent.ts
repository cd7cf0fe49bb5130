import { resolve } from "node:path";
import type { Command } from "commander";
import {
  describeAction,
  readLogs,
  readStatus,
  startAgent,
  startApp,
  stopApp,
  type AgentOptions,
  type AppStatus,
  type PassResult,
  type AgentHandle,
} from "../../agent/index.js";
import { parseDuration } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";
import { normalizeLocation, redactUrl } from "../../git/index.js";
import { createLogger } from "../../log/index.js";
import { readSecretFile, startWebhookListener, type HttpListener } from "../../server/index.js";
import { printJson, printTable, say } from "../output.js";
import { hostOptions, type HostCommandOptions } from "../host-options.js";
import { loadHostKey, loadTrustPolicy } from "../trust-options.js";
import { runStageAgentCommand } from "./stage.js";

interface AgentCommandOptions extends HostCommandOptions {
  repo: string;
  data: string;
  poll: string;
  once?: boolean;
  dryRun?: boolean;
  notify: string[];
  notifyTimeout: string;
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

function describeRefusal(refusal: AppStatus["lastRefusal"]): string {
  if (refusal === undefined) return "-";
  const what = refusal.release === undefined ? "" : `release ${refusal.release} `;
  return `${what}${refusal.error.code} ${refusal.at}${refusal.active ? "" : " (since accepted)"}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
  });
  say(`webhooks: POST ${listener.url}/hooks/git`);
  return listener;
}

async function runAgentCommand(options: AgentCommandOptions): Promise<void> {
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
      follow: options.follow,
      signal: abort.signal,
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
    const hooks = await listenForWebhooks(options, handle.trigger.bind(handle)).catch(
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

export function registerAgentCommands(program: Command): void {
  program
    .command("agent")
    .description("Follow a deployment repository and run, on this host, the release each app's current names")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .requiredOption("--data <dir>", "this host's data dir (state, events, unpacked releases, instance logs)")
    .option("--poll <duration>", "how often to fetch the deployment repository", "30s")
    .option("--once", "one reconcile pass, then exit (instances keep running)")
    .option("--dry-run", "fetch and print the plan; change nothing")
    .option(
      "--notify <url>",
      "POST deploy outcomes: http(s) URL (JSON), slack+https://… or hooks.slack.com (Slack text), file:/path (JSON lines); repeatable",
      collect,
      [],
    )
    .option("--notify-timeout <duration>", "give up on one notification after this long", "5s")
    .option("--follow <pointer>", "deploy current (production) or staging", "current")
    .option("--host <name>", "this host's name in events and notifications")
    .option(
      "--trust <key>",
      "deploy only releases signed by this public key (a .pub file or PEM text); repeatable",
      collect,
      [],
    )
    .option("--threshold <k>", "how many distinct --trust keys must sign (default 1)")
    .option(
      "--host-key <file>",
      "this host's x25519 key (skiff keys generate --host): opens sealed deploy.env values at boot",
    )
    .option(
      "--allow-unsigned",
      "start without --trust on a data dir that required it before (a deliberate downgrade)",
    )
    .option(
      "--stage <environment>",
      "staging: judge each release staging names (tests, load, network profiles) and promote it; production (default): deploy current",
      "production",
    )
    .option(
      "--key <file>",
      "--stage staging: sign the current record of each promotion with this key; repeatable",
      collect,
      [],
    )
    .option("--drivers <list>", "the drivers this host may run, comma-separated (default: all it can)")
    .option(
      "--targets <list>",
      "run only these targets of a release, in this order, comma-separated (default: the first one this host's drivers run)",
    )
    .option(
      "--solo5-net <NAME=TAP>",
      "give solo5 unikernels the net device NAME as tap TAP; repeatable",
      collect,
      [],
    )
    .option(
      "--solo5-block <NAME=FILE>",
      "give solo5 unikernels the block device NAME as disk image FILE; repeatable",
      collect,
      [],
    )
    .option(
      "--layout <layout>",
      "skiff, or mirage-2015: follow a 2015 MirageOS repository (xen/latest)",
      "skiff",
    )
    .option("--driver <name>", "mirage-2015: boot the kernel with xen (default), unix or qemu")
    .option("--app <name>", "mirage-2015: the app name on this host (default: the repository's name)")
    .option("--vm <name>", "mirage-2015: which xen/<id>/<vm>.xen.bz2 to run when there are several")
    .option("--branch <name>", "mirage-2015: the branch to follow (default master)")
    .option("--address <host[:port]>", "mirage-2015 with xen: where the guest serves on the bridge")
    .option("--port <n>", "mirage-2015: the port the unikernel serves on (deploy.port)")
    .option("--listen <host:port>", "serve POST /hooks/git: a signed webhook triggers an immediate fetch")
    .option("--webhook-secret-file <file>", "with --listen: the shared secret webhooks are signed with")
    .option("--json", "with --once or --dry-run: print the pass on stdout as JSON")
    .action(runAgentCommand);

  program
    .command("status")
    .description("What runs on this host: app, release, pid, address, since, last deploy")
    .requiredOption("--data <dir>", "the agent's data dir")
    .option("--json", "print on stdout as JSON")
    .action(async (options: { data: string; json?: boolean }) => {
      const rows = await readStatus(resolve(options.data));
      if (options.json) {
        printJson(rows);
        return;
      }
      if (rows.length === 0) {
        say(`no app has been deployed with data dir ${options.data}`);
        return;
      }
      printTable([
        [
          "APP",
          "RELEASE",
          "DRIVER",
          "PID",
          "URL",
          "ADDRESS",
          "STATUS",
          "SINCE",
          "LAST DEPLOY",
          "LAST ERROR",
          "LAST REFUSAL",
        ],
        ...rows.map((r) => [
          r.app,
          r.release === undefined ? "-" : String(r.release),
          r.driver ?? "-",
          r.pid === undefined ? "-" : String(r.pid),
          r.url ?? "-",
          r.address ?? "-",
          r.crashLoop ? `crash-loop (${r.crashLoop.restarts} restarts)` : r.status,
          r.since ?? "-",
          r.lastDeploy
            ? `${r.lastDeploy.release} ${r.lastDeploy.ok ? "ok" : "failed"} ${r.lastDeploy.at}`
            : "-",
          r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : "-",
          describeRefusal(r.lastRefusal),
        ]),
      ]);
    });

  program
    .command("stop <app>")
    .description("Stop an app's instance; the agent leaves it stopped until current changes or skiff start")
    .requiredOption("--data <dir>", "the agent's data dir")
    .action(async (app: string, options: { data: string }) => {
      const instance = await stopApp(resolve(options.data), app);
      say(
        instance
          ? `stopped ${instance.id} (release ${instance.release})`
          : `${app} had no instance; marked stopped`,
      );
    });

  program
    .command("start <app>")
    .description("Undo skiff stop: the agent starts the app's current release on its next pass")
    .requiredOption("--data <dir>", "the agent's data dir")
    .action(async (app: string, options: { data: string }) => {
      await startApp(resolve(options.data), app);
      say(`${app} will be started by the agent's next pass`);
    });

  program
    .command("logs <app>")
    .description("The last lines of an app's instance log on this host")
    .requiredOption("--data <dir>", "the agent's data dir")
    .option("-n, --lines <n>", "how many lines", "100")
    .action(async (app: string, options: { data: string; lines: string }) => {
      const count = Number(options.lines);
      if (!Number.isInteger(count) || count < 0) {
        throw new SkiffError("ERR_SKIFF_USAGE", `-n ${options.lines} is not a number of lines`, {
          hint: "pass -n 100",
        });
      }
      for (const line of await readLogs(resolve(options.data), app, count)) process.stdout.write(line + "\n");
    });
}
