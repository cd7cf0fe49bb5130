import { randomBytes } from "node:crypto";

/** How long receive-pack may go on after its pusher left mid-upload (its input ended) before it is killed. */
const UPLOAD_GONE_KILL_MS = 30_000;

interface Receive {
  app: string;
  /** The pusher went away. */
  gone: boolean;
  /** Its pre-receive hook reached the server; cancels that push's pipeline. */
  cancelPush?: () => void;
  kill?: NodeJS.Timeout;
}

/** One receive-pack request's side of the tracker (git-http.ts). */
export interface ReceiveHandle {
  /** Passed to the hook in SKIFF_PUSH_ID. */
  id: string;
  /** Its client went away: the push is cancelled (git then ends as it would on a refused push). */
  clientGone: (kill: () => void) => void;
  /** receive-pack ended. */
  end: () => void;
}

/**
 * The receive-pack requests in flight, each with an id that reaches its pre-receive hook
 * (SKIFF_PUSH_ID). A pusher that goes away cancels its push's pipeline, which answers the hook
 * as any refused (or, past the commit point, accepted) push: git ends cleanly and removes its
 * quarantine. A pusher gone before its hook ran is reported once receive-pack ended.
 */
export class ReceiveTracker {
  private readonly open = new Map<string, Receive>();

  constructor(private readonly onLostUpload: (app: string) => void) {}

  begin(app: string): ReceiveHandle {
    const id = randomBytes(8).toString("hex");
    const receive: Receive = { app, gone: false };
    this.open.set(id, receive);
    return {
      id,
      clientGone: (kill) => {
        receive.gone = true;
        if (receive.cancelPush) receive.cancelPush();
        // Its input ended: receive-pack stops by itself; if it does not, it is ended.
        else receive.kill = setTimeout(kill, UPLOAD_GONE_KILL_MS).unref();
      },
      end: () => {
        clearTimeout(receive.kill);
        this.open.delete(id);
        if (receive.gone && !receive.cancelPush) this.onLostUpload(app);
      },
    };
  }

  /** A push's hook arrived: `cancel` stops its pipeline if its pusher goes (or went) away. */
  hooked(id: string | undefined, cancel: () => void): void {
    const receive = id === undefined ? undefined : this.open.get(id);
    if (!receive) return;
    receive.cancelPush = cancel;
    clearTimeout(receive.kill);
    if (receive.gone) cancel();
  }
}
