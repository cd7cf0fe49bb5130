import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { TokenReader } from "../api/index.js";
import { isSameOrigin } from "./same-origin.js";

export const SESSION_COOKIE = "skiff_session";
/** The header a change sent with the session cookie carries its CSRF token in (the form handlers set it). */
export const CSRF_HEADER = "x-skiff-csrf";
const LIFETIME_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  /** The token the user logged in with: kept in this process only, checked again on every request. */
  token: string;
  tokenName: string;
  readOnly: boolean;
  /** The synchronizer token of this session's forms. */
  csrf: string;
  expires: number;
  /** A message for the next page (what the last change did), shown once. */
  flash?: { kind: "ok" | "error"; text: string };
}

/** The dashboard's sessions, in memory: a server restart logs everyone out. */
export interface SessionStore {
  create(input: { token: string; tokenName: string; readOnly: boolean }): Session;
  /** The session of the request's cookie, if it is one and has not expired. */
  of(c: Context): Session | undefined;
  end(id: string): void;
  /** The API's hook: a session cookie presents its session's token. */
  reader: TokenReader;
  /** The API's CSRF hook: a change with the cookie needs the session's CSRF token and no foreign Origin. */
  allowCookieChange: (c: Context) => boolean;
}

export function createSessionStore(): SessionStore {
  const sessions = new Map<string, Session>();
  const of = (c: Context): Session | undefined => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = id === undefined ? undefined : sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expires > Date.now()) return session;
    sessions.delete(session.id);
    return undefined;
  };
  return {
    create: (input) => {
      // Maps keep insertion order: the oldest session goes first.
      while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      const session: Session = {
        ...input,
        id: randomBytes(32).toString("base64url"),
        csrf: randomBytes(32).toString("base64url"),
        expires: Date.now() + LIFETIME_MS,
      };
      sessions.set(session.id, session);
      return session;
    },
    of,
    end: (id) => void sessions.delete(id),
    reader: (c) => {
      const session = of(c);
      return session === undefined ? undefined : { token: session.token, via: "cookie" };
    },
    allowCookieChange: (c) => {
      const session = of(c);
      return session !== undefined && csrfMatches(session, c.req.header(CSRF_HEADER)) && isSameOrigin(c);
    },
  };
}

/** The CSRF token sent equals the session's (compared in constant time). */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== "string") return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
