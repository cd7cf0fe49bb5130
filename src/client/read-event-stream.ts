import { SkiffError } from "../errors/index.js";

export interface StreamedEvent {
  event: string;
  data: unknown;
}

/**
 * Reads a text/event-stream body and calls `onEvent` for each event (data parsed as JSON), until
 * the server ends it or the signal aborts. An `error` event from the server is thrown.
 */
export async function readEventStream(
  response: Response,
  onEvent: (event: StreamedEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined), { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const parsed = parseBlock(block);
        if (parsed === undefined) continue;
        if (parsed.event === "error") throw streamError(parsed.data);
        onEvent(parsed);
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
}

function parseBlock(block: string): StreamedEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue; // a keep-alive comment
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return undefined;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return { event, data: data.join("\n") };
  }
}

function streamError(data: unknown): SkiffError {
  const message = (data as { message?: unknown } | null)?.message;
  return new SkiffError("ERR_SKIFF_SERVER", typeof message === "string" ? message : "the stream failed", {
    hint: "see the server's log; run the command again",
  });
}
