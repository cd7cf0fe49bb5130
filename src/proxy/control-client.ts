import { request } from "node:http";
import { SkiffError } from "../errors/index.js";
import { formatAddress, parseAddress, type Address } from "./address.js";
import { DrainResponseSchema, ProxyStatusSchema, type ProxyStatus } from "./control-schema.js";
import { controlSocketPath } from "./proxy-files.js";
import type { DrainResult } from "./tcp-proxy.js";

/** Talks to one running proxy process over its control socket. */
export interface ProxyClient {
  readonly dir: string;
  readonly pid: number;
  /** The public address the proxy listens on (the real port when 0 was asked for). */
  readonly listen: Address;
  status(): Promise<ProxyStatus>;
  /** Atomic for new connections; resolves after the switch. `undefined` makes new connections wait. */
  setBackend(backend: Address | undefined): Promise<ProxyStatus>;
  /** Replay on or off for connections accepted from now on (deploy.proxy.replay). */
  setReplay(replay: boolean): Promise<ProxyStatus>;
  drain(backend: Address, timeoutMs: number): Promise<DrainResult>;
  /** Stops the proxy process; open connections are closed. */
  stop(): Promise<void>;
}

export interface ControlResponse {
  status: number;
  json: unknown;
}

/** Who answers on a control socket, for error messages. */
export interface ControlPeer {
  what: string;
  hint: string;
}

const PROXY_PEER: ControlPeer = {
  what: "the proxy",
  hint: "Run `skiff agent --once` to restart the proxy; its log is proxy.log in the same directory.",
};

/** One HTTP request over the unix control socket `dir/control.sock`. */
export function requestControl(
  dir: string,
  call: { method: string; path: string; body?: unknown; timeoutMs?: number },
  peer: ControlPeer = PROXY_PEER,
): Promise<ControlResponse> {
  const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: controlSocketPath(dir),
        method: call.method,
        path: call.path,
        headers:
          payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        timeout: call.timeoutMs ?? 5000,
        // A connection of its own: node's default agent keeps idle sockets for 5 s, as long as the
        // server keeps them, so a request could be written to one the server was closing (EPIPE,
        // "does not answer") when many deploys talk to the door at once. A unix connect is cheap.
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("error", reject);
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: parseJson(text) }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${call.timeoutMs ?? 5000}ms`)));
    req.on("error", (error) =>
      reject(
        new SkiffError("ERR_SKIFF_PROXY", `${peer.what} in ${dir} does not answer: ${error.message}`, {
          hint: peer.hint,
          cause: error,
        }),
      ),
    );
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.trim() };
  }
}

async function call(
  dir: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs?: number,
): Promise<unknown> {
  const response = await requestControl(dir, { method, path, body, timeoutMs });
  if (response.status >= 200 && response.status < 300) return response.json;
  const error = (response.json as { error?: unknown } | null)?.error;
  const reason = typeof error === "string" ? error : `status ${response.status}`;
  throw new SkiffError("ERR_SKIFF_PROXY", `the proxy refused ${method} ${path}: ${reason}`, {
    hint: "This is a bug in the caller of the proxy; the request and the proxy log (proxy.log) show why.",
    data: { status: response.status },
  });
}

export function connectProxy(dir: string, pid: number, listen: Address): ProxyClient {
  return {
    dir,
    pid,
    listen,
    status: async () => ProxyStatusSchema.parse(await call(dir, "GET", "/status")),
    setBackend: async (backend) =>
      ProxyStatusSchema.parse(
        backend === undefined
          ? await call(dir, "DELETE", "/backend")
          : await call(dir, "PUT", "/backend", { host: backend.host, port: backend.port }),
      ),
    setReplay: async (replay) => ProxyStatusSchema.parse(await call(dir, "PUT", "/replay", { replay })),
    drain: async (backend, timeoutMs) =>
      DrainResponseSchema.parse(
        await call(dir, "POST", "/drain", { backend: formatAddress(backend), timeoutMs }, timeoutMs + 10_000),
      ),
    stop: async () => {
      await call(dir, "DELETE", "/");
    },
  };
}

/** The listen address a proxy reports in /status, as an Address. */
export function listenOf(status: ProxyStatus): Address {
  return parseAddress(status.listen);
}
