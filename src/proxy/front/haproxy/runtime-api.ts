import { connect } from "node:net";
import { SkiffError } from "../../../errors/index.js";

/**
 * Sends one command to an HAProxy CLI socket (the worker's stats socket, or the master's) and
 * resolves with its whole answer. The master's CLI stays open after a command: `quit` closes it.
 */
export function haproxyCommand(
  socketPath: string,
  command: string,
  options: { master?: boolean; timeoutMs?: number } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = "";
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer to "${command.split(" ")[0]}" within ${timeoutMs}ms`)),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(
        new SkiffError("ERR_SKIFF_PROXY", `HAProxy does not answer on ${socketPath}: ${error.message}`, {
          hint: "See haproxy.log in the front door's haproxy directory; `skiff agent --once` restarts the front door.",
          cause: error,
        }),
      );
    });
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.end(`${command}${options.master === true && command !== "reload" ? "; quit" : ""}\n`);
  });
}

/** Answers of runtime commands that mean it did not happen. */
const REFUSED =
  /^(No such|Unknown|Require|Invalid|Can't|Cannot|unable|This server|Server is|'[^']*' is not|Proxy not found|Missing)/im;

/** Runs a runtime command that changes something; rejects with HAProxy's answer when it refused. */
export async function haproxyChange(socketPath: string, command: string): Promise<string> {
  const answer = await haproxyCommand(socketPath, command);
  if (REFUSED.test(answer.trim()))
    throw new SkiffError("ERR_SKIFF_PROXY", `HAProxy refused "${command}": ${answer.trim()}`, {
      hint: "This is a bug in the front door; haproxy.log and front.log show the state it was in.",
    });
  return answer;
}
