import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A real smart-HTTP git server (`git http-backend` as CGI, as a user would put behind nginx)
 * serving the bare repositories under `root`, which measures what it sends: the bytes of its
 * upload-pack answers and the objects clients asked for by id (`want` lines).
 */
export interface GitHttpServer {
  /** http://127.0.0.1:PORT — a repository `<root>/deploy.git` is `${url}/deploy.git`. */
  url: string;
  /** Bytes of upload-pack answers (negotiation and packs) since the start or the last reset. */
  sentBytes(): number;
  /** Ids named in `want` lines since the start or the last reset (commits, and the blobs a partial mirror fetches). */
  wants(): string[];
  /** Upload-pack requests since the start or the last reset. */
  requests(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startGitHttpServer(root: string): Promise<GitHttpServer> {
  let sent = 0;
  let requests = 0;
  let wanted: string[] = [];
  const children = new Set<ChildProcess>();
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const uploadPack = url.pathname.endsWith("/git-upload-pack");
      if (uploadPack) {
        requests += 1;
        wanted = [...wanted, ...readWants(body, req.headers["content-encoding"])];
      }
      const child = spawn("git", ["http-backend"], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: "1",
          PATH_INFO: url.pathname,
          REQUEST_METHOD: req.method ?? "GET",
          QUERY_STRING: url.search.replace(/^\?/, ""),
          CONTENT_TYPE: req.headers["content-type"] ?? "",
          CONTENT_LENGTH: String(body.length),
          ...(req.headers["content-encoding"]
            ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] }
            : {}),
          ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
        },
        stdio: ["pipe", "pipe", "ignore"],
      });
      children.add(child);
      child.on("close", () => children.delete(child));
      child.stdin.on("error", () => undefined);
      child.stdin.end(body);
      answer(child, res, (bytes) => {
        if (uploadPack) sent += bytes;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sentBytes: () => sent,
    wants: () => [...wanted],
    requests: () => requests,
    reset: () => {
      sent = 0;
      requests = 0;
      wanted = [];
    },
    close: async () => {
      for (const child of children) child.kill("SIGKILL");
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", () => resolve(Buffer.concat(chunks)));
  });
}

/** The ids of `want <id>` pkt-lines of an upload-pack request (v0 and v2). */
function readWants(body: Buffer, encoding: string | string[] | undefined): string[] {
  let text: string;
  try {
    text = (encoding === "gzip" ? gunzipSync(body) : body).toString("latin1");
  } catch {
    return [];
  }
  return [...text.matchAll(/want ([0-9a-f]{40})/g)].map((match) => match[1]!);
}

/** Streams the CGI's answer: its header lines become the response's status and headers. */
function answer(child: ChildProcess, res: ServerResponse, count: (bytes: number) => void): void {
  let head = Buffer.alloc(0);
  let started = false;
  child.stdout!.on("data", (chunk: Buffer) => {
    if (started) {
      count(chunk.length);
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    started = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const [name, ...rest] = line.split(":");
      const value = rest.join(":").trim();
      if (name?.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else if (name) res.setHeader(name, value);
    }
    res.writeHead(status);
    const body = head.subarray(end + 4);
    count(body.length);
    res.write(body);
  });
  child.on("close", () => res.end());
  res.on("close", () => child.kill("SIGKILL"));
}
