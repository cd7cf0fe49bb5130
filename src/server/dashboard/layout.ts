import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Session } from "./sessions.js";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString> | "";

export interface PageOptions {
  title: string;
  session?: Session;
  body: Html;
  /** Module scripts of dashboard/ to load (names under /static/). */
  scripts?: readonly string[];
  /** A message shown once at the top (what the last change did). */
  flash?: Session["flash"];
}

/** Every page: the header with who is logged in and a logout form, then the page's body. */
export function renderPage(options: PageOptions): Html {
  const { session } = options;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · skiff</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/static/vendor/uplot.min.css" />
        <link rel="stylesheet" href="/static/dashboard.css" />
        ${(options.scripts ?? []).map((name) => html`<script type="module" src="/static/${name}"></script>`)}
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">skiff</a>
          ${
            session === undefined
              ? ""
              : html`<span class="who" title="the token this session logged in with"
                    >token <strong>${session.tokenName}</strong>${
                      session.readOnly ? html` <span class="badge">read-only</span>` : ""
                    }</span
                  >
                  <form method="post" action="/logout" class="logout">
                    <input type="hidden" name="csrf" value="${session.csrf}" />
                    <button type="submit" class="link">Log out</button>
                  </form>`
          }
        </header>
        <main>
          ${
            options.flash === undefined
              ? ""
              : html`<p class="flash ${options.flash.kind}" role="status">${options.flash.text}</p>`
          }
          ${options.body}
        </main>
      </body>
    </html>`;
}

/** The message of an API error with its hint, for a page. */
export function renderError(error: { code: string; message: string; hint?: string }): Html {
  return html`<div class="error" role="alert">
    <p><strong>${error.message}</strong></p>
    ${error.hint === undefined ? "" : html`<p class="hint">${error.hint}</p>`}
    <p class="code">${error.code}</p>
  </div>`;
}

/** Takes the session's flash message: it is shown on one page only. */
export function takeFlash(session: Session): Session["flash"] {
  const flash = session.flash;
  delete session.flash;
  return flash;
}
