import { watchConfirmation, type ConfirmOptions, type ConfirmOutcome } from "./swap-confirm.js";
import type { PointerNews } from "./swap-pointer-watch.js";

/**
 * The confirmation window, ended as soon as a fetch that started inside it (a trigger refreshes the
 * pointer watch at once) saw a newer release, while the last probe passed: the newer release
 * replaces this one next, so waiting for the window's own pointer check only delays it. The
 * window's own check reads the pointer through the watch, as often as the watch says.
 */
export async function confirmUnlessSuperseded(
  options: ConfirmOptions,
  news: PointerNews | undefined,
): Promise<ConfirmOutcome> {
  if (news === undefined) return watchConfirmation(options);
  const since = Date.now();
  const supersededBy = (): number | undefined => {
    const seen = news.seen();
    if (seen === undefined || seen.fetchedAt < since) return undefined;
    return seen.release !== undefined && seen.release !== options.instance.release ? seen.release : undefined;
  };
  const close = news.open();
  try {
    return await watchConfirmation({
      ...options,
      supersededBy,
      waitForNews: (ms) => news.wait(ms),
      readPointer: () => news.read(),
      pointerCheckMs: news.checkEveryMs,
    });
  } finally {
    close();
  }
}
