import { HOOK_EXIT_MARKER } from "./hook-script.js";

/** What the pusher sees: lines that git prints as `remote: …`. */
export interface PushOutput {
  line(text: string): void;
}

export interface PushOutputStream extends PushOutput {
  stream: ReadableStream<Uint8Array>;
  /**
   * Ends the answer with the exit code the hook must return (0 accepts the push). False when the
   * hook can no longer read it (its connection went away, or the answer had already ended).
   */
  end(exitCode: number): boolean;
  /** True while the hook still reads the answer. */
  readonly open: boolean;
}

/**
 * A streamed text answer to the pre-receive hook, flushed line by line as the pipeline runs.
 * Every call is safe whatever the hook did: once it hung up, lines are dropped and end() says so.
 */
export function createPushOutputStream(): PushOutputStream {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => {
      open = false;
    },
  });
  const write = (text: string): boolean => {
    if (!open) return false;
    try {
      controller?.enqueue(encoder.encode(text));
      return true;
    } catch {
      open = false;
      return false;
    }
  };
  return {
    stream,
    get open() {
      return open;
    },
    line: (text) => {
      for (const line of text.replace(/\r/g, "").split("\n")) {
        write((line.startsWith(HOOK_EXIT_MARKER) ? " " + line : line) + "\n");
      }
    },
    end: (exitCode) => {
      const written = write(`${HOOK_EXIT_MARKER}${exitCode}\n`);
      if (!open) return false;
      open = false;
      try {
        controller?.close();
      } catch {
        // Cancelled between the write and the close: the hook did not get the code.
        return false;
      }
      return written;
    },
  };
}
