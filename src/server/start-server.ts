import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readStatus, startAgent, type AgentHandle, type FleetJoinOptions } from "../agent/index.js";
import { EventFeed } from "../events/index.js";
import { createHostMetrics, readTraffic, startTrafficSampler } from "../metrics/index.js";
import { initBare } from "../git/index.js";
import { createLogger } from "../log/index.js";
import type { EventBus } from "../events/index.js";
import { probeSandbox } from "../process/index.js";
import { startStageAgent, type StageAgentHandle } from "../stage/index.js";
import type { PointerMove } from "./api/index.js";
import { resolveAppUrl } from "./app-url.js";
import { createApp } from "./apps.js";
import { DeliveryLog } from "./delivery-log.js";
import { DeployWatch } from "./deploy-watch.js";
import { createEmbeddedDeploy } from "./embedded-deploy.js";
import { createEmbeddedStage } from "./embedded-stage.js";
import { notifyFollowers } from "./follower-trigger.js";
import { warmDeployAdvertisement, type GitHttpOptions } from "./git-http.js";
import { writeHooks } from "./hook-script.js";
import { HOOK_PATH } from "./hook-endpoint.js";
import { listenHttp, parseListen, type HttpListener } from "./listen.js";
import { createServerMetrics } from "./metrics.js";
import { landStoredPushes } from "./land-stored-pushes.js";
import { KEEP_BUILDS } from "./push-pipeline.js";
import { PushQueue } from "./push-queue.js";
import { createPushHandler } from "./receive-push.js";
import { createAdvertisementCache } from "./ref-advertisement.js";
import { ReceiveTracker } from "./receive-tracker.js";
import { readPendingPushes } from "./pending-push.js";
import { removeLeftovers } from "./remove-leftovers.js";
import { GitChildren } from "./git-children.js";
import { serverTmpDir } from "./server-builds.js";
import { settlePendingPushes } from "./settle-pending-pushes.js";
import { readOrCreateSecret } from "./secret-file.js";
import { createServerEvents } from "./server-events.js";
import { createToken, readTokens } from "./tokens.js";

export interface StartServerOptions {
  data: string;
  /** `--fleet`: the embedded agent joins the fleet in etcd (rolling deploys); GET /api/v1/fleet reads it. */
  fleet?: FleetJoinOptions;
  /** HOST:PORT; port 0 picks a free one (see the handle's url). */
  listen: string;
  /** The host name users and followers reach this server by (URLs in output and releases). */
  publicHost?: string;
  /** Agent URLs told after each store (POST <url>/hooks/git with the signed trigger). */
  followers?: readonly string[];
  /** Shared secret of the signed trigger and of this server's /hooks/git (default DATA/webhook-secret). */
  webhookSecretFile?: string;
  /** How many apps may build at once. */
  builds?: number;
  /** The embedded agent's poll interval. */
  pollMs?: number;
  /** Build folders kept per app for `skiff builds` (default 5). */
  keepBuilds?: number;
  /** How often every app's traffic is sampled for the dashboard's charts (default 5 s). */
  sampleMs?: number;
  /** The embedded agent's shared HTTP listener (--front) and its 404 index (--front-index). */
  front?: string;
  frontIndex?: boolean;
}

/** How long a stopping server lets pushes past their commit point finish (store, deploy, main). */
const LANDING_GRACE_MS = 20_000;
/** How long a git program still running when the server stops gets after SIGTERM before SIGKILL. */
const GIT_STOP_GRACE_MS = 2000;

export interface ServerHandle {
  url: string;
  port: number;
  /** The push token created because none existed (shown once), else undefined. */
  createdToken: string | undefined;
  agent: AgentHandle;
  /** The staging agent beside it (data dir <data>/staging): judges releases of apps with a stage: section. */
  stageAgent: StageAgentHandle;
  close(): Promise<void>;
}

/** skiff server: git remotes for apps, the push pipeline, the deployment repository and its agent, in one process. */
export async function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const data = options.data;
  const logger = createLogger("skiff-server");
  const events = createServerEvents(data, logger);
  const keepBuilds = options.keepBuilds ?? KEEP_BUILDS;
  await prepareDataDir(data, keepBuilds, events);
  await reportSandbox(events);
  const deployRepo = join(data, "deploy.git");
  if (!existsSync(deployRepo)) await initBare(deployRepo);
  // Pushes the server died in the middle of: their deploy decides whether main moves (settled below).
  const pending = readPendingPushes(data);
  await landStoredPushes({ data, deployRepo, events, skip: new Set(pending.map((p) => p.app)) });
  const createdToken = readTokens(data).length === 0 ? createToken({ data, name: "push" }).token : undefined;
  const webhookSecretFile = options.webhookSecretFile ?? join(data, "webhook-secret");
  const webhookSecret = readOrCreateSecret(webhookSecretFile);
  const agentData = join(data, "agent");
  const watch = new DeployWatch();
  const feed = new EventFeed();
  const hostMetrics = createHostMetrics({ agentData });
  const agent = await startAgent({
    repo: deployRepo,
    data: agentData,
    pollMs: options.pollMs ?? 30_000,
    logger,
    sinks: [watch, feed, hostMetrics.sink],
    ...(options.fleet ? { fleetJoin: options.fleet } : {}),
    ...(options.front === undefined ? {} : { front: options.front }),
    ...(options.frontIndex === undefined ? {} : { frontIndex: options.frontIndex }),
  });
  // Same deployment repository, own data dir: one machine runs staging and production.
  const stageAgent = await startStageAgent({
    repo: deployRepo,
    data: join(data, "staging"),
    pollMs: options.pollMs ?? 30_000,
  });
  const metrics = createServerMetrics(hostMetrics);
  const sampler = startTrafficSampler({
    intervalMs: Math.max(100, options.sampleMs ?? 5000),
    read: () => readTraffic(agentData),
    onError: (error) => logger.warn({ err: error }, "traffic sample failed"),
  });
  const queue = new PushQueue(options.builds ?? 2);
  const address = parseListen(options.listen);
  // Known once the socket is bound (port 0 in tests); the hook and URLs read it late.
  const bound = { base: "", internal: "" };
  const publicHost = options.publicHost;
  const creating = new Map<string, Promise<string>>();
  const receives = new ReceiveTracker((app) =>
    events.emit({
      type: "push.cancelled",
      app,
      message: `push of ${app}: the pusher went away during its upload; nothing landed`,
      data: { stage: "receive" },
    }),
  );
  const gitChildren = new GitChildren();
  const git: GitHttpOptions = {
    data,
    get hookUrl() {
      return `${bound.internal}${HOOK_PATH}`;
    },
    hookSecret: randomBytes(32).toString("hex"),
    advertisements: createAdvertisementCache(),
    receives,
    children: gitChildren,
    createApp: async (name) => {
      const pending = creating.get(name) ?? createApp({ data, name, existingOk: true });
      creating.set(name, pending);
      await pending.finally(() => creating.delete(name));
    },
  };
  const deploy = createEmbeddedDeploy({ agent, agentData, watch, publicHost });
  const followers = options.followers ?? [];
  const tellFollowers = ({ app, release, current }: PointerMove): void => {
    if (followers.length === 0) return;
    // What their fetches ask first is made while the triggers travel.
    warmDeployAdvertisement(git);
    notifyFollowers({
      followers,
      secret: webhookSecret,
      app,
      ...(release === undefined ? {} : { release }),
      ...(current === undefined ? {} : { current }),
      repo: `${bound.base}/deploy.git`,
      onResult: (follower, outcome) => logger.info({ follower, ...outcome }, "follower triggered"),
    });
  };
  // Loaded here, not with the module: the API's OpenAPI machinery is for the server, not every CLI command.
  const { createServerApp } = await import("./server-app.js");
  const { createHostAdapter } = await import("./api/index.js");
  const app = createServerApp({
    logger,
    metrics,
    git,
    onPush: createPushHandler({
      data,
      queue,
      events,
      logger,
      receives,
      appUrl: (name) => `${bound.base}/${name}.git`,
      pipeline: {
        deployRepo,
        // Checkouts in DATA/tmp: removed at the next start if the server dies mid-build.
        tempDir: serverTmpDir(data),
        // The build sees nothing of the server's data (tokens, secrets, other apps' sources).
        hidden: [data, webhookSecretFile],
        keepBuilds,
        stage: createEmbeddedStage({ agent: stageAgent, deployRepo }),
        deploy,
        onStored: (stored) => {
          metrics.pushes.inc({ outcome: "stored" });
          // A release with a stage: section went to staging: current did not move.
          const current = stored.manifest.stage ? {} : { current: stored.release };
          tellFollowers({ app: stored.app, release: stored.release, ...current });
        },
        // Followers see current go back too, not only the embedded agent.
        onRestored: (change) => tellFollowers({ app: change.app, release: change.to, current: change.to }),
      },
    }),
    api: {
      data,
      deployRepo,
      views: {
        data,
        deployRepo,
        queue,
        status: () => readStatus(agentData),
        urlOf: (status) => resolveAppUrl(status, publicHost),
      },
      host: createHostAdapter({ agent, agentData, stageAgent, tellFollowers }),
      feed,
      eventsPath: join(agentData, "events.jsonl"),
      auth: { data },
      series: sampler,
      logger,
      gitUrl: (name) => `${bound.base}/${name}.git`,
      ...(options.fleet
        ? {
            fleet: {
              endpoints: options.fleet.endpoints,
              ...(options.fleet.prefix === undefined ? {} : { prefix: options.fleet.prefix }),
            },
          }
        : {}),
    },
    webhook: {
      secret: webhookSecret,
      deliveries: new DeliveryLog({ file: join(data, "webhook-deliveries.json") }),
      trigger: (reason, current) => agent.trigger(reason, current),
      onHook: (result) => metrics.webhooks.inc({ kind: result.kind, outcome: result.outcome }),
    },
  });
  let listener: HttpListener;
  try {
    listener = await listenHttp(app, address, { logger });
  } catch (error) {
    sampler.stop();
    await agent.stop();
    await stageAgent.stop();
    throw error;
  }
  const loopback =
    address.host === "0.0.0.0"
      ? "127.0.0.1"
      : address.host === "::"
        ? "[::1]"
        : new URL(listener.url).hostname;
  bound.internal = `http://${loopback}:${listener.port}`;
  bound.base = `http://${publicHost ?? new URL(bound.internal).hostname}:${listener.port}`;
  logger.info({ url: listener.url, data }, "skiff server listening");
  const stopping = new AbortController();
  const settling = settlePendingPushes(
    {
      data,
      deployRepo,
      events,
      deploy,
      onRestored: (change) => tellFollowers({ app: change.app, release: change.to, current: change.to }),
      stopping: stopping.signal,
    },
    pending,
  );
  return {
    url: listener.url,
    port: listener.port,
    createdToken,
    agent,
    stageAgent,
    close: async () => {
      sampler.stop();
      await listener.close();
      // Pushes past their commit point land (the pushers' connections are gone, not their pushes).
      const grace = new AbortController();
      const landed = await Promise.race([
        queue.whenIdle().then(() => true),
        sleep(LANDING_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
      ]);
      grace.abort();
      if (!landed)
        logger.warn("pushes still running when the server stopped; the next start cleans up after them");
      // git programs still running (a receive-pack whose pusher left, its hooks) end with the server.
      const ended = await gitChildren.endAll(GIT_STOP_GRACE_MS);
      if (ended > 0) logger.info({ ended }, "git programs ended as the server stopped");
      stopping.abort();
      await agent.stop();
      await settling;
      await stageAgent.stop();
    },
  };
}

async function prepareDataDir(data: string, keepBuilds: number, events: EventBus): Promise<void> {
  mkdirSync(join(data, "apps"), { recursive: true });
  // Leftovers of pushes and builds cut short by a crash: nothing of the server runs yet.
  const removed = await removeLeftovers(data, keepBuilds);
  if (removed.paths.length > 0 || removed.gitEnded > 0) {
    const ended = removed.gitEnded > 0 ? `; ended ${removed.gitEnded} git programs left running` : "";
    events.emit({
      type: "server.leftovers_removed",
      message: `removed ${removed.paths.length} leftovers of pushes and builds cut short (${removed.bytes} bytes)${ended}`,
      data: {
        paths: removed.paths.slice(0, 50),
        count: removed.paths.length,
        bytes: removed.bytes,
        gitEnded: removed.gitEnded,
      },
    });
  }
  writeHooks(data);
}

/** Said at start: whether builds run in bubblewrap's sandbox, or why not and what to do. */
async function reportSandbox(events: EventBus): Promise<void> {
  const sandbox = await probeSandbox();
  if (sandbox.kind === "bwrap") return;
  events.emit({
    type: "build.sandbox_unavailable",
    message: `builds run without a sandbox: ${sandbox.reason}`,
    error: { code: "ERR_SKIFF_SANDBOX_UNAVAILABLE", message: sandbox.reason, hint: sandbox.hint },
  });
}
