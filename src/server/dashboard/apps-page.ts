import { html } from "hono/html";
import type { AppSummary } from "../api/index.js";
import { renderError, type Html } from "./layout.js";
import type { ApiAnswer } from "./api-call.js";
import { renderStatus, renderTime } from "./format.js";

/** The body of `/`: every app with its status, release and public URL. */
export function renderAppsList(answer: ApiAnswer<{ apps: AppSummary[] }>): Html {
  if (!answer.ok) return renderError(answer.error);
  const apps = answer.data.apps;
  return html`<h1>Apps</h1>
    ${
      apps.length === 0
        ? html`<p class="empty">
            No apps yet. Push one: <code>git remote add skiff http://HOST:7070/APP.git</code> then
            <code>git push skiff main</code>.
          </p>`
        : html`<table class="list apps">
            <thead>
              <tr>
                <th>App</th>
                <th>Status</th>
                <th>Release</th>
                <th>URL</th>
                <th>Last deploy</th>
              </tr>
            </thead>
            <tbody>
              ${apps.map(
                (app) =>
                  html`<tr data-app="${app.app}">
                    <td data-label="App"><a class="app-name" href="/apps/${app.app}">${app.app}</a></td>
                    <td data-label="Status">
                      ${renderStatus(app.status)}${app.building ? html` <span class="badge">building</span>` : ""}
                    </td>
                    <td data-label="Release">${renderRelease(app)}</td>
                    <td data-label="URL">
                      ${app.url === undefined ? html`<span class="muted">—</span>` : html`<a href="${app.url}">${app.url}</a>`}
                    </td>
                    <td data-label="Last deploy">
                      ${app.lastDeploy === undefined ? html`<span class="muted">—</span>` : html`${app.lastDeploy.ok ? "" : html`<span class="bad">failed</span> `}${renderTime(app.lastDeploy.at)}`}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

/** "v3" when what runs is what current names; "v2 → v3" while the server catches up. */
export function renderRelease(app: Pick<AppSummary, "release" | "current">): Html {
  if (app.release === undefined && app.current === undefined) return html`<span class="muted">—</span>`;
  if (app.release === app.current || app.current === undefined)
    return html`<span class="release">v${app.release}</span>`;
  if (app.release === undefined)
    return html`<span class="release">v${app.current}</span> <span class="muted">(not running)</span>`;
  return html`<span class="release">v${app.release}</span> <span class="muted">→ v${app.current}</span>`;
}
