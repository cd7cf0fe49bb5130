import { connect } from "node:net";
import { SkiffError } from "../../errors/index.js";

export interface QmpOptions {
  timeoutMs?: number;
}

interface QmpMessage {
  QMP?: unknown;
  return?: unknown;
  error?: { class?: string; desc?: string };
  event?: string;
}

/**
 * Runs one QMP command on a VM's control socket: greeting, qmp_capabilities, the command.
 * Resolves with the command's "return" value; events in between are skipped.
 */
export function runQmpCommand(
  socketPath: string,
  command: string,
  args?: Record<string, unknown>,
  options: QmpOptions = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = "";
    let stage: "greeting" | "capabilities" | "command" = "greeting";
    const fail = (message: string, cause?: unknown): void => {
      socket.destroy();
      reject(
        new SkiffError("ERR_SKIFF_QMP", `QMP ${command} on ${socketPath}: ${message}`, {
          hint: "is the VM still running? check `skiff status`",
          cause,
        }),
      );
    };
    socket.setTimeout(options.timeoutMs ?? 2000, () => fail("no answer in time"));
    socket.on("error", (error) => fail(error.message, error));
    socket.on("close", () => fail("connection closed"));
    const send = (message: object): void => {
      socket.write(`${JSON.stringify(message)}\n`);
    };
    const handle = (message: QmpMessage): void => {
      if (message.event !== undefined) return;
      if (stage === "greeting" && message.QMP !== undefined) {
        stage = "capabilities";
        send({ execute: "qmp_capabilities" });
      } else if (message.error !== undefined) {
        fail(`${message.error.class ?? "error"}: ${message.error.desc ?? ""}`);
      } else if (stage === "capabilities") {
        stage = "command";
        send(args === undefined ? { execute: command } : { execute: command, arguments: args });
      } else if (stage === "command") {
        socket.removeAllListeners("close");
        socket.end();
        resolve(message.return);
      }
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === "") continue;
        try {
          handle(JSON.parse(line) as QmpMessage);
        } catch (error) {
          fail("unreadable answer", error);
          return;
        }
      }
    });
  });
}

/** The VM's run state ("running", "paused", "shutdown" …) as QMP query-status reports it. */
export async function queryVmStatus(socketPath: string, options: QmpOptions = {}): Promise<string> {
  const answer = (await runQmpCommand(socketPath, "query-status", undefined, options)) as
    { status?: unknown } | undefined;
  return typeof answer?.status === "string" ? answer.status : "unknown";
}
