import type { Context } from "hono";

/**
 * False when the request says it comes from another site: its Origin (or, without one, its Referer)
 * names another host than the one it was sent to. Browsers send Origin with every form POST and
 * fetch; a client that sends neither (curl, scripts) is judged by its CSRF token alone.
 */
export function isSameOrigin(c: Context): boolean {
  const claimed = c.req.header("origin") ?? c.req.header("referer");
  if (claimed === undefined) return true;
  try {
    // Host only: behind a TLS proxy the browser's scheme is https while the server sees http.
    return new URL(claimed).host === new URL(c.req.url).host;
  } catch {
    return false; // "null" (a sandboxed frame, a redirect across sites) or garbage
  }
}
