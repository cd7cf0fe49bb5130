import type { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { html } from "hono/html";
import type { PointerChangeView } from "../api/index.js";
import { changeApi, type ApiRequester } from "./api-call.js";
import { csrfRefusal } from "./csrf-refusal.js";
import { renderError, renderPage } from "./layout.js";
import { isSameOrigin } from "./same-origin.js";
import { csrfMatches, type SessionStore } from "./sessions.js";

const APP = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The change buttons' forms: POST /apps/:app/rollback and /promote, checked against the session's
 * CSRF token and the browser's Origin, then sent to the API's own routes (which check them again).
 */
export function registerActionRoutes(app: Hono, api: ApiRequester, sessions: SessionStore): void {
  for (const action of ["rollback", "promote"] as const) {
    app.post(`/apps/:app/${action}`, async (c) => {
      const session = sessions.of(c);
      if (session === undefined) return c.redirect("/login", 303);
      const name = c.req.param("app");
      const form = await c.req.parseBody();
      if (!isSameOrigin(c) || !csrfMatches(session, form.csrf)) return csrfRefusal(c);
      if (!APP.test(name)) return c.notFound();
      const release = Number(form.release);
      const target = Number.isInteger(release) && release > 0 ? release : undefined;
      const body = action === "rollback" ? { to: target } : { release: target };
      const answer = await changeApi<PointerChangeView>(c, api, session, {
        method: "POST",
        path: `/api/v1/apps/${name}/${action}`,
        body,
      });
      if (!answer.ok) {
        const page = html`${renderError(answer.error)}
          <p><a href="/apps/${name}">Back to ${name}</a></p>`;
        return c.html(
          renderPage({ title: "Refused", session, body: page }),
          answer.status as ContentfulStatusCode,
        );
      }
      const { to, from } = answer.data;
      session.flash = {
        kind: "ok",
        text:
          action === "rollback"
            ? `Rolled back ${name}: current is v${to} (was v${from ?? "?"}). The server deploys it now.`
            : `Promoted v${to} of ${name}: it is current. The server deploys it now.`,
      };
      return c.redirect(`/apps/${name}`, 303);
    });
  }
}
