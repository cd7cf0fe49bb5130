import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { traceProcess } from "../process/index.js";

export interface UploadPackRequest {
  /** The bare repository served. */
  dir: string;
  /** "/info/refs" (the ref advertisement) or "/git-upload-pack" (negotiation and the pack). */
  path: string;
  method: string;
  service: string | null;
  body: Readable | undefined;
  contentEncoding: string | undefined;
  /** The client's Git-Protocol header (version=2 asks for protocol v2). */
  gitProtocol: string | undefined;
  /** Extra environment for upload-pack (config for this repository's packs). */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

const NO_CACHE = {
  expires: "Fri, 01 Jan 1980 00:00:00 GMT",
  pragma: "no-cache",
  "cache-control": "no-cache, max-age=0, must-revalidate",
};

/** pkt-line "# service=git-upload-pack\n" and a flush: what a v0/v1 smart-HTTP advertisement starts with. */
const SERVICE_HEADER = Buffer.from("001e# service=git-upload-pack\n0000");

/**
 * Smart-HTTP reads answered by `git upload-pack --stateless-rpc` directly, as `git http-backend`
 * would answer them, without its process in between (two per fetch: a follower's fetch waits for
 * both). Pushes still go through `git http-backend` and its hooks. Undefined for any other path
 * (dumb HTTP is not served).
 */
export function serveUploadPack(request: UploadPackRequest): Promise<Response> | undefined {
  if (request.path === "/info/refs" && request.method === "GET" && request.service === "git-upload-pack") {
    return advertise(request);
  }
  if (request.path === "/git-upload-pack" && request.method === "POST")
    return Promise.resolve(answer(request));
  return undefined;
}

async function advertise(request: UploadPackRequest): Promise<Response> {
  const git = startUploadPack(request, ["--advertise-refs"]);
  git.child.stdin.end();
  const chunks: Buffer[] = [];
  for await (const chunk of git.child.stdout) chunks.push(chunk as Buffer);
  const { code, stderr } = await git.exited;
  if (code !== 0) return failure(stderr);
  // Protocol v2 starts with its capability advertisement; v0 and v1 with the service line.
  const v2 = /(^|:)version=2(:|$)/.test(request.gitProtocol ?? "");
  return new Response(Buffer.concat(v2 ? chunks : [SERVICE_HEADER, ...chunks]), {
    headers: { "content-type": "application/x-git-upload-pack-advertisement", ...NO_CACHE },
  });
}

function answer(request: UploadPackRequest): Response {
  const git = startUploadPack(request, []);
  const encoding = request.contentEncoding?.toLowerCase();
  if (request.body === undefined) git.child.stdin.end();
  else if (encoding === "gzip" || encoding === "x-gzip") {
    const gunzip = createGunzip();
    gunzip.on("error", () => git.child.kill("SIGTERM"));
    request.body.pipe(gunzip).pipe(git.child.stdin);
  } else request.body.pipe(git.child.stdin);
  return new Response(Readable.toWeb(git.child.stdout) as ReadableStream<Uint8Array>, {
    headers: { "content-type": "application/x-git-upload-pack-result", ...NO_CACHE },
  });
}

function startUploadPack(request: UploadPackRequest, extra: string[]) {
  const args = ["upload-pack", "--stateless-rpc", ...extra, request.dir];
  const startedAt = Date.now();
  const child = spawn("git", args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...request.env,
      ...(request.gitProtocol === undefined ? {} : { GIT_PROTOCOL: request.gitProtocol }),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stop = (): void => void child.kill("SIGTERM");
  request.signal.addEventListener("abort", stop, { once: true });
  // upload-pack may exit before reading all its input (a client that hung up): not our failure.
  child.stdin.on("error", () => undefined);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on("error", (error) => resolve({ code: null, stderr: error.message }));
    child.on("close", (code) => {
      request.signal.removeEventListener("abort", stop);
      traceProcess("git", args, startedAt, Date.now() - startedAt);
      resolve({ code, stderr });
    });
  });
  return { child, exited };
}

function failure(stderr: string): Response {
  return new Response(`git upload-pack failed: ${stderr.trim().split("\n").slice(-2).join(" ")}\n`, {
    status: 500,
  });
}
