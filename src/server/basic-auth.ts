import { readTokens, verifyToken, type TokenRecord } from "./tokens.js";

export type AccessNeed = "read" | "push";

export type AccessResult =
  { allowed: true; token: TokenRecord } | { allowed: false; status: 401 | 403; reason: string };

/** The password of an HTTP Basic `Authorization` header (any user name), or undefined. */
export function readBasicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** Decides whether a request with this `Authorization` header may read or push. */
export function checkAccess(data: string, header: string | undefined, need: AccessNeed): AccessResult {
  const password = readBasicPassword(header);
  if (password === undefined || password.length === 0) {
    return { allowed: false, status: 401, reason: "a token is required" };
  }
  const token = verifyToken(readTokens(data), password);
  if (!token) return { allowed: false, status: 401, reason: "the token is not valid" };
  if (need === "push" && token.readOnly) {
    return { allowed: false, status: 403, reason: `token "${token.name}" is read-only and cannot push` };
  }
  return { allowed: true, token };
}
