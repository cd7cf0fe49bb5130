import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { spawnGit } from "../git/index.js";
import type { AdvertisementCache, AdvertisementKey } from "./ref-advertisement.js";

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
  /** `-c name=value` settings for this repository's upload-pack (and the pack-objects it runs). */
  config: readonly string[];
  signal: AbortSignal;
  /** Advertisements kept until the refs change (the server's); without it each one is made anew. */
  advertisements?: AdvertisementCache;
}

const NO_CACHE = {
  expires: "Fri, 01 Jan 1980 00:00:00 GMT",
  pragma: "no-cache",
  "cache-control": "no-cache, max-age=0, must-revalidate",
};

const NEVER_ABORTED = new AbortController().signal;

/** pkt-line "# service=git-upload-pack\n" and a flush: what a v0/v1 smart-HTTP advertisement starts with. */
const SERVICE_HEADER = Buffer.from("001e# service=git-upload-pack\n0000");

/**
 * Smart-HTTP reads answered by `git upload-pack --stateless-rpc` directly, as `git http-backend`
 * would answer them, without its process in between (two per fetch: a follower's fetch waits for
 * both). Pushes, and dumb-HTTP reads, still go through `git http-backend`. Undefined for a path
 * this does not answer.
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
  const { advertisements } = request;
  let advertisement: Buffer;
  try {
    advertisement = await (advertisements
      ? // Kept and shared: one client hanging up does not end what the others wait for.
        advertisements.get(advertisementKey(request), () =>
          makeAdvertisement({ ...request, signal: NEVER_ABORTED }),
        )
      : makeAdvertisement(request));
  } catch (error) {
    return new Response(`${(error as Error).message}\n`, { status: 500 });
  }
  return new Response(advertisement, {
    headers: { "content-type": "application/x-git-upload-pack-advertisement", ...NO_CACHE },
  });
}

/** What a fetch's first request would be answered with: made now (after a store) and kept. */
export function warmAdvertisement(
  served: ServedRepository & Pick<UploadPackRequest, "advertisements">,
): void {
  served.advertisements?.warm(advertisementKey(served), () =>
    makeAdvertisement({ ...served, signal: NEVER_ABORTED }),
  );
}

/** The repository a request reads, and what changes how upload-pack answers it. */
type ServedRepository = Pick<UploadPackRequest, "dir" | "gitProtocol" | "config">;

function advertisementKey(served: ServedRepository): AdvertisementKey {
  return { dir: served.dir, variant: `${served.gitProtocol ?? ""}\0${served.config.join("\0")}` };
}

/** `upload-pack --advertise-refs`, as a smart-HTTP body: v0 and v1 start with the service line. */
async function makeAdvertisement(request: ServedRepository & { signal: AbortSignal }): Promise<Buffer> {
  const git = startUploadPack(request, ["--advertise-refs"]);
  git.child.stdin.end();
  const { exitCode, stdout, stderr } = await git.done;
  if (exitCode !== 0)
    throw new Error(`git upload-pack failed: ${stderr.trim().split("\n").slice(-2).join(" ")}`);
  // Protocol v2 starts with its capability advertisement; v0 and v1 with the service line.
  const v2 = /(^|:)version=2(:|$)/.test(request.gitProtocol ?? "");
  return v2 ? stdout : Buffer.concat([SERVICE_HEADER, stdout]);
}

function answer(request: UploadPackRequest): Response {
  const git = startUploadPack(request, [], { collectStdout: false });
  const encoding = request.contentEncoding?.toLowerCase();
  // A client that goes away mid-request errors the body: upload-pack gets a cut input, never a crash.
  request.body?.on("error", () => git.child.stdin.destroy());
  if (request.body === undefined) git.child.stdin.end();
  else if (encoding === "gzip" || encoding === "x-gzip") {
    const gunzip = createGunzip();
    gunzip.on("error", () => git.child.kill("SIGTERM"));
    request.body.pipe(gunzip).pipe(git.child.stdin);
  } else request.body.pipe(git.child.stdin);
  // A git that could not start ends the answer; the client reports the broken response.
  git.done.catch(() => git.child.stdout.destroy());
  return new Response(Readable.toWeb(git.child.stdout) as ReadableStream<Uint8Array>, {
    headers: { "content-type": "application/x-git-upload-pack-result", ...NO_CACHE },
  });
}

function startUploadPack(
  request: ServedRepository & { signal: AbortSignal },
  extra: string[],
  options: { collectStdout?: boolean } = {},
) {
  const config = request.config.flatMap((setting) => ["-c", setting]);
  return spawnGit([...config, "upload-pack", "--stateless-rpc", ...extra, request.dir], {
    cwd: request.dir,
    env: request.gitProtocol === undefined ? {} : { GIT_PROTOCOL: request.gitProtocol },
    signal: request.signal,
    ...options,
  });
}
