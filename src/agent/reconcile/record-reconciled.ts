import type { DesiredApp } from "../plan/index.js";
import { readState, updateAppState } from "../state/index.js";

/**
 * After an app's task: remember which pointer value and commit it was reconciled to. A moved
 * pointer ends the holds (failed releases, a manual stop) recorded under the old value. Writes
 * nothing when nothing changed and nothing was done (so idle apps cost no write per pass).
 */
export async function recordReconciled(options: {
  data: string;
  want: DesiredApp;
  commit: string;
  acted: boolean;
}): Promise<void> {
  const { want } = options;
  if (want.release === undefined) return;
  const known = readState(options.data).apps[want.app];
  const changes =
    known === undefined || known.observedCurrent !== want.release || known.removedAt !== undefined;
  if (!changes && !options.acted) return;
  await updateAppState(options.data, want.app, (app) => {
    if (app.observedCurrent !== want.release) {
      app.failed = [];
      delete app.stopped;
      app.observedCurrent = want.release;
    }
    delete app.removedAt;
    app.reconciledCommit = options.commit;
  });
}
