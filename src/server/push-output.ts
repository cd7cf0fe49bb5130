import { HOOK_EXIT_MARKER } from "./hook-script.js";

/** What the pusher sees: lines that git prints as `remote: …`. */
export interface PushOutput {
  line(text: string): void;
}

export interface PushOutputStream extends PushOutput {
  stream: ReadableStream<Uint8Array>;
  /** Ends the answer with the exit code the hook must return (0 accepts the push). */
  end(exitCode: number): void;
}

/** A streamed text answer to the pre-receive hook, flushed line by line as the pipeline runs. */
export function createPushOutputStream(): PushOutputStream {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => {
      closed = true;
    },
  });
  const write = (text: string): void => {
    if (closed) return;
    try {
      controller?.enqueue(encoder.encode(text));
    } catch {
      closed = true;
    }
  };
  return {
    stream,
    line: (text) => {
      for (const line of text.replace(/\r/g, "").split("\n")) {
        write((line.startsWith(HOOK_EXIT_MARKER) ? " " + line : line) + "\n");
      }
    },
    end: (exitCode) => {
      write(`${HOOK_EXIT_MARKER}${exitCode}\n`);
      closed = true;
      controller?.close();
    },
  };
}
