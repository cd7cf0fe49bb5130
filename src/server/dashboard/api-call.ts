import type { Context } from "hono";
import type { ApiErrorBody } from "../api/index.js";
import { CSRF_HEADER, type Session } from "./sessions.js";

/** The API the dashboard is a client of: the same routes, auth and code as every other client. */
export interface ApiRequester {
  request(url: string, init: RequestInit): Response | Promise<Response>;
}

export type ApiAnswer<T> =
  { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiErrorBody };

/** GET an API path with the browser's session cookie. */
export function readApi<T>(c: Context, api: ApiRequester, path: string): Promise<ApiAnswer<T>> {
  return callApi<T>(c, api, path, { method: "GET", headers: cookieOf(c) });
}

/**
 * A change through the API on behalf of a session, after the form's CSRF check: the cookie, the
 * session's CSRF token and the browser's Origin go along, so the API checks them again itself.
 */
export function changeApi<T>(
  c: Context,
  api: ApiRequester,
  session: Session,
  change: { method: string; path: string; body: unknown },
): Promise<ApiAnswer<T>> {
  const origin = c.req.header("origin");
  return callApi<T>(c, api, change.path, {
    method: change.method,
    headers: {
      ...cookieOf(c),
      [CSRF_HEADER]: session.csrf,
      "content-type": "application/json",
      ...(origin === undefined ? {} : { origin }),
    },
    body: JSON.stringify(change.body),
  });
}

async function callApi<T>(
  c: Context,
  api: ApiRequester,
  path: string,
  init: RequestInit,
): Promise<ApiAnswer<T>> {
  // The browser's own URL: the API compares Origin with the host it was sent to.
  const response = await api.request(new URL(path, c.req.url).href, init);
  const body: unknown = await response.json();
  if (response.ok) return { ok: true, status: response.status, data: body as T };
  return { ok: false, status: response.status, error: body as ApiErrorBody };
}

function cookieOf(c: Context): Record<string, string> {
  const cookie = c.req.header("cookie");
  return cookie === undefined ? {} : { cookie };
}
