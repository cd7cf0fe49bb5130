import { randomBytes } from "node:crypto";

/** How long receive-pack may go on after its pusher left mid-upload (its input ended) before it is killed. */
const UPLOAD_GONE_KILL_MS = 30_000;
/** How long receive-pack may go on once its push is settled (main moved or refused) and its pusher is gone. */
const SETTLED_GONE_KILL_MS = 10_000;
/** … and with its pusher still there (one that reads slowly, or never: git is held on its answer). */
const SETTLED_KILL_MS = 30_000;

interface Receive {
  app: string;
  /** The pusher went away. */
  gone: boolean;
  /** Its pre-receive hook reached the server; cancels that push's pipeline. */
  cancelPush?: () => void;
  /** The server has answered its push (the hook's request ended): git has only its own end to do. */
  settled: boolean;
  /** Ends receive-pack's process group (git http-backend's, which holds it). */
  killGroup?: () => void;
  kill?: NodeJS.Timeout;
}

/** One receive-pack request's side of the tracker (git-http.ts). */
export interface ReceiveHandle {
  /** Passed to the hook in SKIFF_PUSH_ID. */
  id: string;
  /** git http-backend runs: `kill` ends its process group. */
  spawned: (kill: () => void) => void;
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
    const receive: Receive = { app, gone: false, settled: false };
    this.open.set(id, receive);
    return {
      id,
      spawned: (kill) => {
        receive.killGroup = kill;
      },
      clientGone: (kill) => {
        receive.gone = true;
        receive.killGroup = kill;
        if (receive.settled) endSoon(receive);
        else if (receive.cancelPush) receive.cancelPush();
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

  /**
   * The server answered a push's hook (landed, refused or cancelled): git ends by itself, but one
   * that still runs SETTLED_KILL_MS later (held on a pusher that never reads, a post-receive hook
   * that hangs), or SETTLED_GONE_KILL_MS once its pusher is gone, is ended.
   */
  settled(id: string | undefined): void {
    const receive = id === undefined ? undefined : this.open.get(id);
    if (!receive) return;
    receive.settled = true;
    endSoon(receive);
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

/** After its push is settled, receive-pack gets a while to end by itself (shorter once its pusher is gone). */
function endSoon(receive: Receive): void {
  clearTimeout(receive.kill);
  if (!receive.killGroup) return;
  receive.kill = setTimeout(receive.killGroup, receive.gone ? SETTLED_GONE_KILL_MS : SETTLED_KILL_MS).unref();
}
