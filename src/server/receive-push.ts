import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import { createObjectView, isAncestor, readRef, updateRef } from "../git/index.js";
import type { Logger } from "../log/index.js";
import { appRepoPath } from "./apps.js";
import { isZeroId, type HandlePush, type ReceivedPush, type RefUpdate } from "./hook-endpoint.js";
import { keepPushedObjects } from "./keep-pushed-objects.js";
import { identifyReceivePack, landPush } from "./land-push.js";
import type { PushOutput, PushOutputStream } from "./push-output.js";
import { runPushPipeline, type PushPipelineOptions, type PushPipelineResult } from "./push-pipeline.js";
import type { PushQueue } from "./push-queue.js";
import { recordPush } from "./push-record.js";
import type { ReceiveTracker } from "./receive-tracker.js";

const MAIN = "refs/heads/main";

export interface PushHandlerOptions {
  data: string;
  queue: PushQueue;
  /** The app's repository URL as recorded in releases, e.g. http://host:port/hello.git. */
  appUrl: (app: string) => string;
  pipeline: Pick<
    PushPipelineOptions,
    "deployRepo" | "deploy" | "onStored" | "onRestored" | "stage" | "tempDir" | "hidden" | "keepBuilds"
  >;
  events: EventBus;
  logger: Logger;
  /** Told when a push's hook arrives (its upload is complete). */
  receives?: ReceiveTracker;
  /** How long git may take to move main after the hook accepted before the server moves it (default 30 s). */
  landTimeoutMs?: number;
}

/**
 * Answers each push: other refs are accepted as they are; main goes through the queue and the
 * pipeline. A push lands whole (release stored, main moved, deploy done) or not at all, whatever
 * its pusher does meanwhile; which of the two is an event (push.landed, push.cancelled,
 * push.refused) in DATA/events.jsonl.
 */
export function createPushHandler(options: PushHandlerOptions): HandlePush {
  return async (push, output, hookGone) => {
    // Cancelled when the pusher goes away (its receive-pack request ends) or the hook does.
    const cancel = new AbortController();
    const { signal } = cancel;
    if (hookGone.aborted) cancel.abort();
    else hookGone.addEventListener("abort", () => cancel.abort(), { once: true });
    options.receives?.hooked(push.pushId, () => cancel.abort());
    try {
      output.end(await receivePush(options, push, output, signal));
    } catch (error) {
      // A bug: said to the pusher if it still listens, logged with its stack, never a crash.
      options.logger.error({ err: error, app: push.app }, "push handler failed (a bug in skiff)");
      output.line(`skiff: internal error (a bug in skiff): ${(error as Error).message}`);
      output.end(1);
    } finally {
      options.receives?.settled(push.pushId);
    }
  };
}

async function receivePush(
  options: PushHandlerOptions,
  push: ReceivedPush,
  output: PushOutputStream,
  signal: AbortSignal,
): Promise<number> {
  const main = push.updates.find((update) => update.ref === MAIN);
  for (const update of push.updates.filter((u) => u.ref !== MAIN)) {
    output.line(`skiff: ${update.ref} accepted without a deploy (only main deploys)`);
  }
  if (!main) return 0;
  if (isZeroId(main.new)) {
    output.line("skiff: main cannot be deleted: it is what skiff deploys");
    return 1;
  }
  output.line(`-----> skiff: ${push.app} main ${main.new.slice(0, 7)} pushed by ${push.user || "unknown"}`);
  const scratch = await mkdtemp(join(options.data, "tmp", "push-"));
  try {
    const source = join(scratch, "source.git");
    await createObjectView({
      objectDirs: push.objectDirs,
      commit: main.new,
      dest: source,
      origin: options.appUrl(push.app),
    });
    return await queuePush({ options, push, main, source, output, signal });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface QueuePushOptions {
  options: PushHandlerOptions;
  push: ReceivedPush;
  main: RefUpdate;
  source: string;
  output: PushOutputStream;
  signal: AbortSignal;
}

async function queuePush(queued: QueuePushOptions): Promise<number> {
  const { options, push, output, signal } = queued;
  const queue = options.queue.snapshot();
  // Only a push that waits behind another of its app can find main moved when its turn comes.
  const behind = queue.building.includes(push.app) || queue.waiting.includes(push.app);
  if (behind) output.line(`-----> waiting for the push of ${push.app} before this one`);
  const report = reporter(options, queued);
  let code = 1;
  const outcome = await options.queue.enqueue(push.app, () => runQueuedPush(queued, behind), signal);
  if (outcome.ran) code = outcome.value;
  else if (outcome.reason === "replaced") {
    output.line(
      `-----> skiff: a newer push to ${push.app} replaced this one while it waited; it was not deployed`,
    );
    report("push.refused", "replaced by a newer push while it waited");
  } else {
    output.line("-----> skiff: push cancelled");
    report("push.cancelled", "the pusher went away while the push waited; nothing landed");
  }
  return code;
}

/** One push's turn: build to deploy, then main moves (by git, or by the server when git cannot). */
async function runQueuedPush(queued: QueuePushOptions, behind: boolean): Promise<number> {
  const { options, push, main, source, output, signal } = queued;
  const report = reporter(options, queued);
  const repo = appRepoPath(options.data, push.app);
  // Read while receive-pack surely runs (it waits for this hook).
  const receivePack = identifyReceivePack(push);
  if (behind && !(await followsMain(repo, source, main, output))) {
    report("push.refused", "main moved while the push waited");
    return 1;
  }
  const result = await runPushPipeline({
    ...options.pipeline,
    data: options.data,
    app: push.app,
    update: main,
    source,
    sourceUrl: options.appUrl(push.app),
    output,
    signal,
    commit: () => keepPushedObjects({ repo, push, commit: main.new, signal }),
  });
  recordPush(options.data, push.app, push.user, result);
  if (!result.ok) {
    reportUnlanded(report, result, signal.aborted);
    return 1;
  }
  await prepareRefUpdate(repo, main);
  // Accepted: git moves main unless its receive-pack is gone by now; then the server does.
  output.end(0);
  const by = await landPush({
    repo,
    update: main,
    push,
    receivePack,
    timeoutMs: options.landTimeoutMs ?? 30_000,
  });
  const gone = by === "server" ? "; the pusher went away, so the server moved main itself" : "";
  report("push.landed", `release ${result.release} landed, main at ${main.new.slice(0, 7)}${gone}`, {
    release: result.release,
    by,
    stage: result.stage,
  });
  return 0;
}

type Report = (
  type: string,
  message: string,
  data?: Record<string, unknown>,
  error?: SerializedError,
) => void;

function reporter(options: PushHandlerOptions, queued: QueuePushOptions): Report {
  const { push, main } = queued;
  return (type, message, data = {}, error) =>
    options.events.emit({
      type,
      app: push.app,
      ...(typeof data.release === "number" ? { release: data.release } : {}),
      message: `push of ${push.app} ${main.new.slice(0, 7)}: ${message}`,
      data: { commit: main.new, user: push.user, ...data },
      ...(error === undefined ? {} : { error }),
    });
}

function reportUnlanded(report: Report, result: PushPipelineResult, pusherGone: boolean): void {
  const data = { stage: result.stage, ...(result.release === undefined ? {} : { release: result.release }) };
  if (!result.committed && pusherGone) {
    report("push.cancelled", `the pusher went away during ${result.stage}; nothing landed`, data);
    return;
  }
  report("push.refused", `refused at ${result.stage}; main did not move`, data, result.error);
}

/** False (and says why) when main moved while this push waited and the push would undo that. */
async function followsMain(
  repo: string,
  source: string,
  main: RefUpdate,
  output: PushOutput,
): Promise<boolean> {
  const current = await readRef(repo, MAIN);
  if (current === undefined || current === main.old || (await isAncestor(source, current, main.new)))
    return true;
  output.line(`-----> push rejected: main moved to ${current.slice(0, 7)} while this push waited`);
  output.line("       fetch, merge or rebase, and push again");
  return false;
}

/**
 * git checks that main still has the value the pusher saw before it moves it. When an earlier
 * queued push moved main meanwhile (and this push builds on it), put main back to that value.
 */
async function prepareRefUpdate(repo: string, main: RefUpdate): Promise<void> {
  const current = (await readRef(repo, MAIN)) ?? "0".repeat(main.old.length);
  if (current !== main.old) await updateRef(repo, MAIN, main.old, current);
}
