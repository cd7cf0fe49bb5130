import type { Context } from "hono";
import { html } from "hono/html";
import { renderError, renderPage } from "./layout.js";

/** 403 ERR_SKIFF_CSRF as a page: a form without this session's token, or sent from another site. */
export function csrfRefusal(c: Context): Response | Promise<Response> {
  const error = {
    code: "ERR_SKIFF_CSRF",
    message: "This form failed its CSRF check; nothing changed.",
    hint: "reload the page and try again (a form sent from another site, or an old page, is refused)",
  };
  return c.html(
    renderPage({
      title: "Refused",
      body: html`${renderError(error)}
        <p><a href="/">Back to the apps</a></p>`,
    }),
    403,
  );
}
