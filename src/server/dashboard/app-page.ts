import type { Context } from "hono";
import { html } from "hono/html";
import type { AppInfo, EventView, ReleaseView } from "../api/index.js";
import { readApi, type ApiRequester } from "./api-call.js";
import {
  renderActivity,
  renderCharts,
  renderConfig,
  renderInstances,
  renderLogTail,
  renderSummary,
} from "./app-panels.js";
import { renderError, renderPage, takeFlash } from "./layout.js";
import { renderReleases } from "./release-table.js";
import type { Session } from "./sessions.js";

/** GET /apps/:app: one app's summary, charts, releases, config, instances, activity and log tail. */
export async function showAppPage(
  c: Context,
  api: ApiRequester,
  session: Session,
  app: string,
): Promise<Response> {
  const base = `/api/v1/apps/${app}`;
  const [info, releases, config, events, logs] = await Promise.all([
    readApi<AppInfo>(c, api, base),
    readApi<{ releases: ReleaseView[] }>(c, api, `${base}/releases`),
    readApi<{ env: Record<string, string>; release: number }>(c, api, `${base}/config`),
    readApi<{ events: EventView[] }>(c, api, `/api/v1/events?app=${app}&limit=30`),
    readApi<{ lines: string[] }>(c, api, `${base}/logs?lines=50`),
  ]);
  // The token was revoked since login: log in again.
  if (!info.ok && info.status === 401) return c.redirect("/login", 303);
  const flash = takeFlash(session);
  if (!info.ok) {
    const body = html`${renderError(info.error)}
      <p><a href="/">Back to the apps</a></p>`;
    return c.html(renderPage({ title: app, session, flash, body }), info.status === 404 ? 404 : 500);
  }
  const body = html`<div id="app-page" data-app="${app}">
    <p class="crumbs"><a href="/">Apps</a> / ${app}</p>
    ${renderSummary(info.data)}
    <section>
      <h2>Last hour</h2>
      ${renderCharts()}
    </section>
    <section>
      <h2>Releases</h2>
      ${renderReleases(app, releases.ok ? releases.data.releases : [], session)}
    </section>
    <div class="columns">
      <section>
        <h2>Config vars</h2>
        ${renderConfig(config.ok ? config.data.env : undefined)}
      </section>
      <section>
        <h2>Instances</h2>
        ${renderInstances(info.data.instances)}
      </section>
    </div>
    <div class="columns">
      <section>
        <h2>Activity <span class="live" data-for="activity"></span></h2>
        ${renderActivity(events.ok ? events.data.events : [])}
      </section>
      <section>
        <h2>Log <span class="live" data-for="log"></span></h2>
        ${renderLogTail(logs.ok ? logs.data.lines : undefined)}
      </section>
    </div>
  </div>`;
  return c.html(renderPage({ title: app, session, flash, body, scripts: ["app-page.js"] }));
}
