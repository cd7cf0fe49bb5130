import { mkdtemp, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { createObjectView, isAncestor, readRef, updateRef } from "../git/index.js";
import { appRepoPath } from "./apps.js";
import { isZeroId, type HandlePush, type ReceivedPush, type RefUpdate } from "./hook-endpoint.js";
import type { PushOutput } from "./push-output.js";
import { runPushPipeline, type PushPipelineOptions } from "./push-pipeline.js";
import type { PushQueue } from "./push-queue.js";
import { recordPush } from "./push-record.js";

const MAIN = "refs/heads/main";

export interface PushHandlerOptions {
  data: string;
  queue: PushQueue;
  /** The app's repository URL as recorded in releases, e.g. http://host:port/hello.git. */
  appUrl: (app: string) => string;
  pipeline: Pick<PushPipelineOptions, "deployRepo" | "deploy" | "onStored" | "onRestored" | "stage">;
}

/** Answers each push: other refs are accepted as they are; main goes through the queue and the pipeline. */
export function createPushHandler(options: PushHandlerOptions): HandlePush {
  return async (push, output, signal) => {
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
  };
}

interface QueuePushOptions {
  options: PushHandlerOptions;
  push: ReceivedPush;
  main: RefUpdate;
  source: string;
  output: PushOutput;
  signal: AbortSignal;
}

function queuePush({ options, push, main, source, output, signal }: QueuePushOptions): Promise<number> {
  const queue = options.queue.snapshot();
  // Only a push that waits behind another of its app can find main moved when its turn comes.
  const behind = queue.building.includes(push.app) || queue.waiting.includes(push.app);
  if (behind) output.line(`-----> waiting for the push of ${push.app} before this one`);
  const repo = appRepoPath(options.data, push.app);
  return new Promise<number>((resolve) => {
    const job = async (): Promise<void> => {
      if (behind && !(await followsMain(repo, source, main, output))) return resolve(1);
      const result = await runPushPipeline({
        ...options.pipeline,
        data: options.data,
        app: push.app,
        update: main,
        source,
        sourceUrl: options.appUrl(push.app),
        output,
        signal,
      });
      recordPush(options.data, push.app, push.user, result);
      if (!result.ok) return resolve(1);
      await prepareRefUpdate(repo, main);
      resolve(0);
      // Hold the app's slot until git has moved main, so the next push compares against it.
      await waitForRef(repo, main.new, 10_000);
    };
    options.queue.enqueue(push.app, job, signal).then(
      (outcome) => {
        if (outcome.ran) return;
        output.line(
          outcome.reason === "replaced"
            ? `-----> skiff: a newer push to ${push.app} replaced this one while it waited; it was not deployed`
            : "-----> skiff: push cancelled",
        );
        resolve(1);
      },
      (error: unknown) => {
        output.line(
          `-----> skiff: internal error: ${error instanceof Error ? error.message : String(error)}`,
        );
        resolve(1);
      },
    );
  });
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

async function waitForRef(repo: string, expected: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readRef(repo, MAIN)) === expected) return;
    await sleep(25);
  }
}
