import { readFileSync } from "node:fs";
import { get } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** GET a URL; resolves with status and body, or rejects on a connection error. */
export async function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/**
 * GET on a connection of its own, closed after the answer: what a new visitor sees. (fetch keeps
 * connections alive, and through a proxy a kept connection stays with the instance it started on.)
 */
export function httpGetFresh(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs}ms`)));
    request.on("error", reject);
  });
}

/** Polls until the URL answers 2xx with a body containing `expect` (when given); returns the body. */
export async function waitForBody(
  url: string,
  expect?: string,
  timeoutMs = 20_000,
  options: { fresh?: boolean } = {},
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const { status, body } = await (options.fresh ? httpGetFresh : httpGet)(url, 2000);
      if (status >= 200 && status < 300 && (expect === undefined || body.includes(expect))) return body;
      last = `${status} ${body.trim()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not serve ${expect ?? "2xx"} within ${timeoutMs}ms (last: ${last})`);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * A free port below the kernel's ephemeral range, on 127.0.0.1 and on the wildcard: no other
 * test's `listen(0)` can be given it, so once a test closes it (it killed the front door) nothing
 * else listens there. For tests that check a port is left unbound.
 */
export async function freePortOutsideEphemeral(): Promise<number> {
  const [ephemeral] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
  const below = Math.min(Number(ephemeral), 65_536) - 1;
  const bindable = (port: number, host: string): Promise<boolean> =>
    new Promise((resolve) => {
      const server = createServer();
      server.unref();
      server.once("error", () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if ((await bindable(port, "127.0.0.1")) && (await bindable(port, "::"))) return port;
  }
  throw new Error(`no free port between 10000 and ${below}`);
}

/** A TCP connection to "host:port" that stays open until the caller ends it (a client slow to send). */
export function openConnection(address: string): Promise<Socket> {
  const colon = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }, () =>
      resolve(socket),
    );
    socket.once("error", reject);
  });
}
