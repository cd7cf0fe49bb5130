import { SkiffError } from "../errors/index.js";
import { listTree, normalizeLocation, redactUrl } from "../git/index.js";
import { readAppState, readSmallFile } from "./app-state.js";
import { commitWithRetry } from "./commit-with-retry.js";
import { releaseDir } from "./layout.js";
import {
  STAGE_RECORD_FILE,
  STAGE_RECORD_MAX_BYTES,
  StageRecordSchema,
  type StageRecord,
} from "./stage-record-schema.js";
import { withWorkspace } from "./workspace.js";

export function stageRecordPath(app: string, release: number): string {
  return `${releaseDir(app, release)}/${STAGE_RECORD_FILE}`;
}

/** A release's stage.json at `rev` of a local repository; undefined when there is none or it is unreadable. */
export async function readStageRecord(options: {
  repo: string;
  rev: string;
  app: string;
  release: number;
}): Promise<StageRecord | undefined> {
  const path = stageRecordPath(options.app, options.release);
  const entries = await listTree(options.repo, options.rev, path);
  const text = await readSmallFile({ ...options, entries, path, maxBytes: STAGE_RECORD_MAX_BYTES });
  if (text === undefined) return undefined;
  try {
    const parsed = StageRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Commits <app>/releases/<N>/stage.json (replacing an earlier verdict of the same release). */
export async function recordStageVerdict(options: {
  repo: string;
  record: StageRecord;
  signal?: AbortSignal;
}): Promise<{ commit: string }> {
  const { app, release } = options.record;
  const text = JSON.stringify(options.record, null, 2) + "\n";
  if (Buffer.byteLength(text) > STAGE_RECORD_MAX_BYTES) {
    throw new SkiffError(
      "ERR_SKIFF_STAGE_FAILED",
      `the stage record of ${app} release ${release} is too large`,
      {
        hint: "report this as a bug: test outputs are capped well below the limit",
      },
    );
  }
  const url = normalizeLocation(options.repo);
  return withWorkspace(url, options.signal, async (workspace) => {
    const outcome = await commitWithRetry({
      workspace,
      plan: async (tip) => {
        const state = await readAppState(workspace.dir, tip, app);
        if (!state.releases.includes(release)) {
          throw new SkiffError(
            "ERR_SKIFF_NO_SUCH_RELEASE",
            `${app} has no release ${release} in ${redactUrl(url)}`,
            {
              hint: "the release was removed (--keep) while it was staged; nothing to record",
            },
          );
        }
        return {
          changes: [{ path: stageRecordPath(app, release), text, mode: "100644" as const }],
          message: `${app}: release ${release} ${options.record.verdict} staging (${options.record.summary})`,
          result: undefined,
        };
      },
    });
    return { commit: outcome.commit ?? "" };
  });
}
