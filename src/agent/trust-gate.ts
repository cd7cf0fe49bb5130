import { serializeError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ObjectReader } from "../git/index.js";
import { readManifest, type ReleaseManifest } from "../store/index.js";
import type { TrustPolicy } from "../trust/index.js";
import type { DesiredApp } from "./plan.js";
import { BootSecrets } from "./secrets.js";
import { clearRefusal, readAccepted, recordAccepted, recordRefusal } from "./trust-state.js";
import { verifyPointer } from "./verify-release.js";

export interface TrustGateOptions {
  data: string;
  mirror: string;
  commit: string;
  /** The pass's reads of the mirror (one cat-file session); default one git process per read. */
  reader?: ObjectReader;
  follow: "current" | "staging";
  events: EventBus;
  /** The agent's --trust keys; without them releases are not checked for signatures (as before). */
  trust?: TrustPolicy;
  /** The agent's host key holder: every sealed value of a desired release must open before it is planned. */
  secrets?: BootSecrets;
  /** Check and report, but record nothing. */
  dryRun?: boolean;
  now?: Date;
}

/**
 * Checks what each app's pointer names before the plan is made. A refused app becomes a desired
 * app with an error: the planner touches nothing of it, so its running instance keeps running.
 * Each new refusal is recorded for skiff status and reported once as a release.refused event.
 */
export async function gateDesired(
  desired: readonly DesiredApp[],
  options: TrustGateOptions,
): Promise<DesiredApp[]> {
  const result: DesiredApp[] = [];
  for (const want of desired)
    result.push(want.destroyed ? gateTombstone(want, options) : await gateApp(want, options));
  return result;
}

/** A tombstone is not signed: a host that checks signatures leaves the app running and says why. */
function gateTombstone(want: DesiredApp, options: TrustGateOptions): DesiredApp {
  if (options.trust === undefined) return want;
  return {
    app: want.app,
    error: {
      code: "ERR_SKIFF_UNSIGNED",
      message: `${want.app} was destroyed in the deployment repository, but a tombstone is not signed`,
      hint: `this host checks signatures (--trust), so it leaves ${want.app} running: stop it here with skiff stop ${want.app} --data D`,
    },
  };
}

async function gateApp(want: DesiredApp, options: TrustGateOptions): Promise<DesiredApp> {
  try {
    const checked = options.trust
      ? await checkSigned(want.app, options, options.trust)
      : await checkPlain(want, options);
    if (checked.manifest)
      (options.secrets ?? new BootSecrets(undefined)).openEnv(checked.manifest.deploy.env);
    if (!options.dryRun) await clearRefusal(options.data, want.app);
    return checked.desired;
  } catch (error) {
    const serialized = options.secrets
      ? options.secrets.redact(serializeError(error))
      : serializeError(error);
    const fresh =
      options.dryRun === true ||
      (await recordRefusal(options.data, {
        app: want.app,
        ...(want.release === undefined ? {} : { release: want.release }),
        commit: options.commit,
        error: serialized,
      }));
    if (fresh) {
      options.events.emit({
        type: "release.refused",
        app: want.app,
        ...(want.release === undefined ? {} : { release: want.release }),
        message: `${want.app}${want.release === undefined ? "" : ` release ${want.release}`} refused: ${serialized.message}`,
        error: serialized,
        data: { commit: options.commit, pointer: options.follow },
      });
    }
    return { app: want.app, error: serialized };
  }
}

interface Checked {
  desired: DesiredApp;
  manifest?: ReleaseManifest;
}

async function checkSigned(app: string, options: TrustGateOptions, trust: TrustPolicy): Promise<Checked> {
  const verified = await verifyPointer({
    mirror: options.mirror,
    commit: options.commit,
    ...(options.reader ? { reader: options.reader } : {}),
    app,
    pointer: options.follow,
    trust,
    accepted: readAccepted(options.data, app, options.follow),
    now: options.now ?? new Date(),
  });
  if (verified === undefined) return { desired: { app } };
  // Persisted before the deploy: a failed deploy cannot reopen the door to an older record.
  if (!options.dryRun) await recordAccepted(options.data, verified.record);
  return { desired: { app, release: verified.record.release }, manifest: verified.manifest };
}

/** Without --trust: as before; only the sealed values of the named release are checked here. */
async function checkPlain(want: DesiredApp, options: TrustGateOptions): Promise<Checked> {
  if (want.error !== undefined || want.release === undefined) return { desired: want };
  let manifest: ReleaseManifest;
  try {
    manifest = await readManifest({
      mirror: options.mirror,
      commit: options.commit,
      app: want.app,
      release: want.release,
      ...(options.reader ? { reader: options.reader } : {}),
    });
  } catch {
    // A broken manifest is the deploy's refusal to report, as it was before trust existed.
    return { desired: want };
  }
  return { desired: want, manifest };
}
