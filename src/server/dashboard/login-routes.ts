import type { Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { readTokens, verifyToken } from "../tokens.js";
import { renderError, renderPage } from "./layout.js";
import { isSameOrigin } from "./same-origin.js";
import { csrfMatches, SESSION_COOKIE, type SessionStore } from "./sessions.js";
import { csrfRefusal } from "./csrf-refusal.js";

export interface LoginRoutesOptions {
  /** The server's data dir (tokens.json). */
  data: string;
  sessions: SessionStore;
}

/** GET/POST /login and POST /logout: a token typed into a form becomes an HttpOnly session cookie. */
export function registerLoginRoutes(app: Hono, options: LoginRoutesOptions): void {
  const { sessions } = options;
  app.get("/login", (c) => (sessions.of(c) ? c.redirect("/", 303) : c.html(renderLogin())));

  app.post("/login", async (c) => {
    if (!isSameOrigin(c)) return csrfRefusal(c);
    const form = await c.req.parseBody();
    const typed = typeof form.token === "string" ? form.token.trim() : "";
    const record = typed === "" ? undefined : verifyToken(readTokens(options.data), typed);
    if (record === undefined) {
      const error = {
        code: "ERR_SKIFF_AUTH",
        message: typed === "" ? "Type a token to log in." : "That token is not valid.",
        hint: "create one on the server: skiff server token create --data DIR (add --read-only to only look)",
      };
      // 200: the form again, with the error (a 401 document is a console error in every browser).
      return c.html(renderLogin(error));
    }
    const session = sessions.create({ token: typed, tokenName: record.name, readOnly: record.readOnly });
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      secure: isHttps(c),
      maxAge: Math.floor((session.expires - Date.now()) / 1000),
    });
    return c.redirect("/", 303);
  });

  app.post("/logout", async (c) => {
    const session = sessions.of(c);
    if (session !== undefined) {
      const form = await c.req.parseBody();
      if (!isSameOrigin(c) || !csrfMatches(session, form.csrf)) return csrfRefusal(c);
      sessions.end(session.id);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
    return c.redirect("/login", 303);
  });
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

function renderLogin(error?: { code: string; message: string; hint: string }) {
  return renderPage({
    title: "Log in",
    body: html`<section class="login card">
      <h1>Log in to skiff</h1>
      ${error === undefined ? "" : renderError(error)}
      <form method="post" action="/login">
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        <button type="submit">Log in</button>
      </form>
      <p class="hint">
        A token of <code>skiff server token create</code>: a deploy token may roll back and promote, a
        <code>--read-only</code> one may only look. It stays on the server; the browser keeps a session
        cookie.
      </p>
    </section>`,
  });
}
