import type { Context, MiddlewareHandler } from "hono";
import { SkiffError } from "../../errors/index.js";
import { readBasicPassword } from "../basic-auth.js";
import { readTokens, verifyToken, type TokenRecord } from "../tokens.js";

/** What a request may do: read (any token), or change (a token that is not read-only). */
export type ApiAccess = "read" | "change";

/** A token presented with a request, and how: a header (bearer, basic) or a cookie (the dashboard). */
export interface PresentedToken {
  token: string;
  via: "bearer" | "basic" | "cookie";
}

/** Reads a token from a request; the dashboard adds one for its session cookie. */
export type TokenReader = (c: Context) => PresentedToken | undefined;

export interface ApiAuthOptions {
  /** The server's data dir (tokens.json). */
  data: string;
  /** More ways to present a token, tried after the Authorization header (a session cookie). */
  readers?: readonly TokenReader[];
  /**
   * A change authenticated by a cookie must pass this (the dashboard's CSRF check): a browser sends
   * cookies with requests other sites make. Without it, cookie-authenticated changes are refused.
   */
  allowCookieChange?: (c: Context) => boolean;
}

export type ApiVariables = { token: TokenRecord; requestId?: string };

/** The token of an `Authorization: Bearer …` or `Basic …` header. */
export function readAuthorization(c: Context): PresentedToken | undefined {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer !== undefined) return { token: bearer, via: "bearer" };
  const basic = readBasicPassword(header);
  return basic ? { token: basic, via: "basic" } : undefined;
}

/** Lets the request on when it carries a valid token for `need`; else a 401 or 403 error (never echoing the token). */
export function requireAccess(
  options: ApiAuthOptions,
  need: ApiAccess,
): MiddlewareHandler<{ Variables: ApiVariables }> {
  return async (c, next) => {
    const presented = [readAuthorization, ...(options.readers ?? [])]
      .map((read) => read(c))
      .find((p) => p !== undefined);
    if (presented === undefined) {
      throw new SkiffError("ERR_SKIFF_AUTH", "this request needs a token", {
        hint: "send Authorization: Bearer TOKEN (skiff login URL stores one; skiff server token create makes one)",
      });
    }
    const token = verifyToken(readTokens(options.data), presented.token);
    if (token === undefined) {
      throw new SkiffError("ERR_SKIFF_AUTH", "the token is not valid", {
        hint: "check the token, or create one on the server: skiff server token create --data DIR",
      });
    }
    if (need === "change") {
      if (token.readOnly) {
        throw new SkiffError(
          "ERR_SKIFF_FORBIDDEN",
          `token "${token.name}" is read-only: it cannot change apps`,
          {
            hint: "use a deploy token (skiff server token create without --read-only)",
            data: { token: token.id },
          },
        );
      }
      if (presented.via === "cookie" && !(options.allowCookieChange?.(c) ?? false)) {
        throw new SkiffError(
          "ERR_SKIFF_FORBIDDEN",
          "a change sent with a session cookie failed its CSRF check",
          {
            hint: "reload the dashboard and try again; scripts send Authorization: Bearer TOKEN",
          },
        );
      }
    }
    c.set("token", token);
    await next();
  };
}
