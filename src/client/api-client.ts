import { ERROR_CODES, SkiffError, type ErrorCode } from "../errors/index.js";
import type { Remote } from "./remote.js";

export interface ApiClient {
  readonly url: string;
  get<T>(path: string): Promise<T>;
  send<T>(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T>;
  /** A streamed GET (Server-Sent Events); the caller reads response.body. */
  stream(path: string, signal: AbortSignal): Promise<Response>;
}

const API_BASE = "/api/v1";
const TIMEOUT_MS = 120_000;

/** Talks to a skiff server's /api/v1 with a bearer token; every failure is a SkiffError with code and hint. */
export function createApiClient(remote: Pick<Remote, "url" | "token">): ApiClient {
  const call = async (method: string, path: string, init: { body?: unknown; signal?: AbortSignal } = {}) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${remote.token}`,
      accept: "application/json",
    };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${remote.url}${API_BASE}${path}`, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: init.signal ?? AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(remote.url, error);
    }
    if (!response.ok) throw await serverError(remote.url, response);
    return response;
  };
  const json = async <T>(response: Response): Promise<T> => {
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw unreachable(remote.url, error);
    }
  };
  return {
    url: remote.url,
    get: async (path) => json(await call("GET", path)),
    send: async (method, path, body) => json(await call(method, path, { body: body ?? {} })),
    stream: (path, signal) => call("GET", path, { signal }),
  };
}

function unreachable(url: string, error: unknown): SkiffError {
  const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  return new SkiffError(
    "ERR_SKIFF_SERVER_UNREACHABLE",
    `${url} did not answer as a skiff server (${reason})`,
    {
      hint: "check the URL (skiff login URL), that skiff server runs there, and the network",
    },
  );
}

/** The server's {code, message, hint} as a SkiffError; a body that is not one says so. */
async function serverError(url: string, response: Response): Promise<SkiffError> {
  let body: { code?: unknown; message?: unknown; hint?: unknown; data?: unknown } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  if (typeof body?.code !== "string" || typeof body.message !== "string") {
    return new SkiffError(
      "ERR_SKIFF_SERVER_UNREACHABLE",
      `${url} answered HTTP ${response.status}, not a skiff API error`,
      {
        hint: "check that the URL is a skiff server (skiff login URL)",
      },
    );
  }
  const known = (ERROR_CODES as readonly string[]).includes(body.code);
  return new SkiffError(known ? (body.code as ErrorCode) : "ERR_SKIFF_SERVER", body.message, {
    ...(typeof body.hint === "string" ? { hint: body.hint } : {}),
    data: { status: response.status, ...(known ? {} : { code: body.code }) },
  });
}
