import { SkiffError } from "../errors/index.js";
import { normalizeLocation, redactUrl } from "../git/index.js";
import { pointerRelease, readAppState } from "./app-state.js";
import { setPointer, type PointerChange } from "./set-pointer.js";
import { readStageRecord } from "./stage-record.js";
import type { StageRecord } from "./stage-record-schema.js";
import type { ReleaseSigner } from "./types.js";
import { fetchTip, withWorkspace } from "./workspace.js";

export interface PromoteOptions {
  repo: string;
  app: string;
  /** Default: the release `staging` names. */
  release?: number;
  /** Promote even without a passed staging verdict. */
  force?: boolean;
  sign?: ReleaseSigner;
  signal?: AbortSignal;
}

export interface PromoteResult extends PointerChange {
  /** The staging verdict the promotion rests on (undefined: never judged). */
  verdict?: StageRecord["verdict"];
  forced: boolean;
}

/** Points `current` at a release that passed staging: a commit every production agent follows. */
export async function promoteRelease(options: PromoteOptions): Promise<PromoteResult> {
  const url = normalizeLocation(options.repo);
  const { app } = options;
  const { release, record } = await withWorkspace(url, options.signal, async (workspace) => {
    const tip = await fetchTip(workspace);
    const state = await readAppState(workspace.dir, tip, app);
    const chosen = options.release ?? pointerRelease(state.stagingText);
    if (chosen === undefined || tip === undefined) {
      throw new SkiffError(
        "ERR_SKIFF_NOTHING_TO_PROMOTE",
        `${app} has no release on staging in ${redactUrl(url)}`,
        {
          hint: `name the release: skiff promote ${app} N --repo ${redactUrl(url)}`,
        },
      );
    }
    return {
      release: chosen,
      record: await readStageRecord({ repo: workspace.dir, rev: tip, app, release: chosen }),
    };
  });
  if (!options.force && record?.verdict !== "passed") {
    const why =
      record === undefined ? "has not been judged on staging yet" : `failed staging: ${record.summary}`;
    throw new SkiffError("ERR_SKIFF_STAGE_NOT_PASSED", `${app} release ${release} ${why}`, {
      hint: `see skiff releases ${app} --repo ${redactUrl(url)}; promote anyway with --force`,
      data: { release, verdict: record?.verdict ?? null },
    });
  }
  const change = await setPointer({
    repo: options.repo,
    app,
    pointer: "current",
    release,
    ...(options.sign ? { sign: options.sign } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    message: (from, to) =>
      `${app}: promote release ${to} to current${from === undefined ? "" : ` (was ${from})`}${record?.verdict === "passed" ? ", staging passed" : ", forced"}`,
  });
  return {
    ...change,
    ...(record ? { verdict: record.verdict } : {}),
    forced: options.force === true && record?.verdict !== "passed",
  };
}
