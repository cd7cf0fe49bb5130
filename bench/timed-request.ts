import { connect } from "node:net";

/** One request on a new connection to the shared listener: ms from connect() to the first byte (-1: none), and whether it was a 200. */
export function timedRequest(
  port: number,
  hostname: string,
  timeoutMs = 20_000,
): Promise<{ firstByteMs: number; ok: boolean }> {
  return new Promise((resolve) => {
    const began = performance.now();
    let firstByteMs = -1;
    let text = "";
    const socket = connect({ host: "127.0.0.1", port }, () =>
      socket.write(`GET / HTTP/1.1\r\nhost: ${hostname}\r\nconnection: close\r\n\r\n`),
    );
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      if (firstByteMs < 0) firstByteMs = performance.now() - began;
      text += chunk.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve({ firstByteMs, ok: text.startsWith("HTTP/1.1 200") }));
  });
}
