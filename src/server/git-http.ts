import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Context } from "hono";
import { appExists, appRepoPath, appsDir, isValidAppName } from "./apps.js";
import { checkAccess, type AccessNeed } from "./basic-auth.js";
import { runCgi } from "./cgi.js";
import type { GitChildren } from "./git-children.js";
import { serverGitMark } from "./orphaned-git.js";
import type { AdvertisementCache } from "./ref-advertisement.js";
import type { ReceiveTracker } from "./receive-tracker.js";
import { serveUploadPack, warmAdvertisement, type UploadPackRequest } from "./upload-pack.js";

export interface GitHttpOptions {
  data: string;
  /** Where the pre-receive hook posts a push, and the secret it must present. */
  hookUrl: string;
  hookSecret: string;
  /** Creates an app on its first push (called only for a push token and a valid name). */
  createApp: (app: string) => Promise<void>;
  /** The deployment repository's ref advertisements, kept until its refs change (ref-advertisement.ts). */
  advertisements?: AdvertisementCache;
  /** Pushes in flight, to tell an upload cut short from a push already in its pipeline. */
  receives?: ReceiveTracker;
  /** The git http-backend programs running, ended when the server stops. */
  children?: GitChildren;
}

/** What a git smart-HTTP path asks for: which repository, and whether it pushes. */
export interface GitRequestTarget {
  /** The app name, or "deploy" for the server's deployment repository. */
  repo: string;
  pathInfo: string;
  need: AccessNeed;
}

const GIT_PATH = /^\/([a-z][a-z0-9-]{0,62})\.git(\/.*)$/;

/** Parses `/<app>.git/<rest>`; undefined for any other path. */
export function parseGitPath(path: string, query: URLSearchParams): GitRequestTarget | undefined {
  const match = GIT_PATH.exec(path);
  if (!match?.[1] || !match[2]) return undefined;
  const pushes = match[2] === "/git-receive-pack" || query.get("service") === "git-receive-pack";
  return { repo: match[1], pathInfo: `/${match[1]}.git${match[2]}`, need: pushes ? "push" : "read" };
}

type GitContext = Context<{ Bindings: { incoming: IncomingMessage } }>;

/** Serves git smart HTTP for app repositories and (read-only) the deployment repository. */
export async function serveGit(c: GitContext, options: GitHttpOptions): Promise<Response> {
  const url = new URL(c.req.url);
  const target = parseGitPath(url.pathname, url.searchParams);
  if (!target) return c.text("not a git path\n", 404);
  const isDeploy = target.repo === "deploy";
  const access = checkAccess(options.data, c.req.header("authorization"), target.need);
  if (!access.allowed) {
    const headers: Record<string, string> =
      access.status === 401 ? { "WWW-Authenticate": 'Basic realm="skiff"' } : {};
    return c.text(`${access.reason}\n`, access.status, headers);
  }
  if (isDeploy && target.need === "push") {
    return c.text("the deployment repository is written by skiff server only\n", 403);
  }
  if (!isDeploy && !appExists(options.data, target.repo)) {
    if (target.need !== "push" || !isValidAppName(target.repo)) return c.text(`no app ${target.repo}\n`, 404);
    await options.createApp(target.repo);
  }
  const incoming = c.env.incoming;
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  if (target.need === "read") {
    const repoPath = `/${target.repo}.git`;
    const served = serveUploadPack({
      ...(isDeploy ? deployReads(options) : { dir: appRepoPath(options.data, target.repo), config: [] }),
      path: target.pathInfo.slice(repoPath.length),
      method: c.req.method,
      service: url.searchParams.get("service"),
      body: hasBody ? (incoming ?? bodyOf(c)) : undefined,
      contentEncoding: c.req.header("content-encoding"),
      gitProtocol: c.req.header("git-protocol"),
      signal: c.req.raw.signal,
    });
    if (served) return served;
  }
  const receive =
    target.need === "push" && c.req.method === "POST" ? options.receives?.begin(target.repo) : undefined;
  const pushId = receive?.id;
  return runCgi({
    file: "git",
    args: ["http-backend"],
    body: hasBody ? (incoming ?? bodyOf(c)) : undefined,
    signal: c.req.raw.signal,
    ...(options.children === undefined ? {} : { children: options.children }),
    ...(receive === undefined
      ? {}
      : { onSpawn: receive.spawned, onClientGone: receive.clientGone, onExit: receive.end }),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_PROJECT_ROOT: isDeploy ? options.data : appsDir(options.data),
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: target.pathInfo,
      REQUEST_METHOD: c.req.method,
      QUERY_STRING: url.search.replace(/^\?/, ""),
      CONTENT_TYPE: c.req.header("content-type") ?? "",
      ...optional("CONTENT_LENGTH", c.req.header("content-length")),
      ...optional("HTTP_CONTENT_ENCODING", c.req.header("content-encoding")),
      ...optional("GIT_PROTOCOL", c.req.header("git-protocol")),
      // The token's name, never the token: it reaches hooks and logs.
      REMOTE_USER: access.token.name,
      REMOTE_ADDR: incoming?.socket.remoteAddress ?? "",
      SKIFF_APP: target.repo,
      ...hookAddress(options.hookUrl),
      SKIFF_HOOK_SECRET: options.hookSecret,
      ...optional("SKIFF_PUSH_ID", pushId),
      // Found by the next start if the server is killed meanwhile (orphaned-git.ts).
      ...serverGitMark(options.data),
    },
  });
}

/**
 * How the deployment repository is read. It holds gzipped artifacts: deflating them again for a
 * follower's fetch costs ≈ 10 ms per release for no smaller transfer, so its packs are sent stored
 * (docs/decisions.md). Its ref advertisements are kept until its refs change; an app repository's
 * are not (its refs are the user's: thousands of loose tags would be read on every request).
 */
function deployReads(options: GitHttpOptions): Pick<UploadPackRequest, "dir" | "config" | "advertisements"> {
  return {
    dir: join(options.data, "deploy.git"),
    // allowFilter: a follower's mirror is partial (it fetches the images of what it runs).
    config: ["pack.compression=0", "uploadpack.allowFilter=true"],
    ...(options.advertisements ? { advertisements: options.advertisements } : {}),
  };
}

/** Makes the deployment repository's advertisement now (after a store), for the followers' fetches. */
export function warmDeployAdvertisement(options: GitHttpOptions): void {
  // Protocol v0: what an agent's fetch asks for.
  warmAdvertisement({ ...deployReads(options), gitProtocol: undefined });
}

/** The hook connects with bash's /dev/tcp: host (no IPv6 brackets), port and path apart. */
function hookAddress(hookUrl: string): Record<string, string> {
  const url = new URL(hookUrl);
  return {
    SKIFF_HOOK_HOST: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    SKIFF_HOOK_PORT: url.port || "80",
    SKIFF_HOOK_PATH: url.pathname,
  };
}

function optional(name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: value };
}

function bodyOf(c: GitContext): Readable | undefined {
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as WebReadableStream<Uint8Array>) : undefined;
}
