import { parseDuration } from "../config/index.js";
import { serializeError, SkiffError } from "../errors/index.js";
import {
  describeStageRecord,
  type StageAgentHandle,
  type StageOutcome,
  type StagePassResult,
} from "../stage/index.js";
import { readPointers, readStageRecord, type StoreResult } from "../store/index.js";
import type { PushOutput } from "./push-output.js";

/** Boot, health check, syncs and the verdict's two commits, on top of stage.timeout. */
const MARGIN_MS = 60_000;
const INDENT = "       ";

export interface StageGateRequest {
  stored: StoreResult;
  output: PushOutput;
}

/** promoted: passed and current; passed: awaits skiff promote (promote: manual); held: held back (the lines said why). */
export type StageGateOutcome = "promoted" | "passed" | "held";
export type StageGate = (request: StageGateRequest) => Promise<StageGateOutcome>;

export interface EmbeddedStageOptions {
  /** The staging agent in the server's process (data dir <data>/staging). */
  agent: StageAgentHandle;
  deployRepo: string;
}

/**
 * The push waits for the staging verdict (bounded by stage.timeout + MARGIN_MS), prints it with its
 * figures, and says "promoted" or "held back: <why>".
 */
export function createEmbeddedStage(options: EmbeddedStageOptions): StageGate {
  return async ({ stored, output }) => {
    const { app, release, manifest } = stored;
    const say = (line: string): void => output.line(`${INDENT}${line}`);
    output.line(`-----> stage ${app} v${release}`);
    say(`release ${release} is in staging`);
    const timeoutMs =
      parseDuration(manifest.stage?.timeout ?? "5m") +
      parseDuration(manifest.deploy.health.timeout) +
      MARGIN_MS;
    let result: { pass: StagePassResult; outcome: StageOutcome | undefined };
    try {
      result = await withTimeout(stageNow(options.agent, app), timeoutMs, app);
    } catch (error) {
      return heldBack(output, app, release, serializeError(error).message);
    }
    const held =
      result.pass.held.find((h) => h.app === app && h.release === release) ??
      (result.outcome && "reason" in result.outcome && result.outcome.release === release
        ? result.outcome
        : undefined);
    if (held) return heldBack(output, app, release, `not staged (${held.reason}): ${held.error.message}`);
    const staged = result.outcome && !("reason" in result.outcome) ? result.outcome : undefined;
    const record = await readStageRecord({ repo: options.deployRepo, rev: "main", app, release });
    if (record === undefined) {
      return heldBack(
        output,
        app,
        release,
        (staged?.release === release ? staged.error?.message : undefined) ??
          "the staging agent recorded no verdict",
      );
    }
    for (const line of describeStageRecord(record)) say(line);
    if (record.verdict !== "passed") return heldBack(output, app, release, record.summary);
    const pointers = await readPointers({ mirror: options.deployRepo, commit: "main" });
    if (pointers.find((p) => p.app === app)?.current === release) {
      say(`promoted: release ${release} is current`);
      return "promoted";
    }
    if (staged?.release === release && staged.error)
      return heldBack(output, app, release, staged.error.message);
    say(`not promoted (promote: manual): skiff promote ${app} ${release} --repo <data>/deploy.git`);
    return "passed";
  };
}

/** A staging pass now, then what the app's worker ended with (the stage runs in the app's own worker). */
async function stageNow(
  agent: StageAgentHandle,
  app: string,
): Promise<{ pass: StagePassResult; outcome: StageOutcome | undefined }> {
  const pass = await agent.reconcileNow();
  return { pass, outcome: await agent.settled(app) };
}

function heldBack(output: PushOutput, app: string, release: number, why: string): "held" {
  output.line(`${INDENT}held back: ${why}`);
  output.line(`-----> ${app} v${release} was not promoted; the release before keeps serving`);
  return "held";
}

function withTimeout<T>(promise: Promise<T>, ms: number, app: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SkiffError(
            "ERR_SKIFF_STAGE_TIMEOUT",
            `no staging verdict within ${Math.round(ms / 1000)}s; staging goes on (skiff releases ${app} shows it)`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
