/**
 * Why an app's task was asked to end early, as the reason of its AbortSignal. `superseded`: the
 * app's pointer names a newer release (a confirmation window then confirms, a backoff gives up,
 * and the newer release deploys next: neither is a rollback). `stopped`: stopped by hand.
 */
export type TaskEnd = { kind: "superseded"; release: number } | { kind: "stopped" };

/** The reason a task's signal carries, or undefined while it has not been asked to end. */
export function taskEndOf(signal: AbortSignal | undefined): TaskEnd | undefined {
  if (signal?.aborted !== true) return undefined;
  const reason = signal.reason as Partial<TaskEnd> | undefined;
  if (reason?.kind === "superseded" && typeof reason.release === "number")
    return { kind: "superseded", release: reason.release };
  return { kind: "stopped" };
}

/**
 * A signal that aborts only when the task is stopped by hand: for waits that a newer release must
 * not cut short (a health check in progress finishes; its window is what the newer release ends).
 */
export function stopSignalOf(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const controller = new AbortController();
  const check = (): void => {
    if (taskEndOf(signal)?.kind === "stopped") controller.abort(signal.reason);
  };
  if (signal.aborted) check();
  else signal.addEventListener("abort", check, { once: true });
  return controller.signal;
}
