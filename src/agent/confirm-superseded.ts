import { SkiffError } from "../errors/index.js";
import { watchConfirmation, type ConfirmOptions, type ConfirmOutcome } from "./swap-confirm.js";
import type { PointerNews } from "./swap-pointer-watch.js";

/** Ends the window from inside (through its stop check); never leaves this module. */
class Superseded extends SkiffError {
  constructor(readonly release: number) {
    super("ERR_SKIFF_DEPLOY_FAILED", `release ${release} became current during the confirmation window`);
  }
}

/**
 * The confirmation window, ended as soon as a fetch that started inside it (a trigger refreshes the
 * pointer watch at once) saw a newer release, while the last probe passed: the newer release
 * replaces this one next, so waiting for the window's own pointer check only delays it.
 */
export async function confirmUnlessSuperseded(
  options: ConfirmOptions,
  news: PointerNews | undefined,
): Promise<ConfirmOutcome> {
  if (news === undefined) return watchConfirmation(options);
  const since = Date.now();
  let probes = 0;
  let lastProbeOk = false;
  let newer: number | undefined;
  const supersededBy = (): number | undefined => {
    const seen = news.seen();
    if (!lastProbeOk || seen === undefined || seen.fetchedAt < since) return undefined;
    return seen.release !== undefined && seen.release !== options.instance.release ? seen.release : undefined;
  };
  const close = news.open();
  try {
    return await watchConfirmation({
      ...options,
      onProbe: (probe) => {
        probes = probe.attempt;
        lastProbeOk = probe.ok;
        options.onProbe?.(probe);
      },
      isStopped: () => {
        if (options.isStopped()) return true;
        newer = supersededBy();
        return newer !== undefined;
      },
      stoppedError: () =>
        newer !== undefined && !options.isStopped() ? new Superseded(newer) : options.stoppedError(),
    });
  } catch (error) {
    if (error instanceof Superseded) return { ok: true, supersededBy: error.release, probes };
    throw error;
  } finally {
    close();
  }
}
