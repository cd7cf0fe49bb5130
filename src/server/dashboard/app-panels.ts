import { html } from "hono/html";
import type { AppInfo, EventView, InstanceInfo } from "../api/index.js";
import { renderRelease } from "./apps-page.js";
import { renderStatus, renderTime } from "./format.js";
import type { Html } from "./layout.js";

/** Names whose values are kept off the page even when they are not sealed (the API shows sealed ones as [sealed]). */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|_KEY$/i;

export function renderSummary(info: AppInfo): Html {
  return html`<div class="summary card">
    <h1>${info.app}</h1>
    <dl>
      <div>
        <dt>Status</dt>
        <dd id="app-status">${renderStatus(info.status)}</dd>
      </div>
      <div>
        <dt>Release</dt>
        <dd id="app-release">${renderRelease(info)}</dd>
      </div>
      <div>
        <dt>URL</dt>
        <dd>
          ${info.url === undefined ? html`<span class="muted">—</span>` : html`<a href="${info.url}">${info.url}</a>`}
        </dd>
      </div>
      <div>
        <dt>Git</dt>
        <dd><code>${info.gitUrl}</code></dd>
      </div>
    </dl>
    ${
      info.lastError === undefined
        ? ""
        : html`<p class="bad last-error">
            <strong>${info.lastError.code}</strong> ${info.lastError.message}
          </p>`
    }
  </div>`;
}

export function renderConfig(env: Readonly<Record<string, string>> | undefined): Html {
  const names = Object.keys(env ?? {}).sort();
  if (env === undefined || names.length === 0) return html`<p class="empty">No config vars.</p>`;
  return html`<table class="list config">
    <tbody>
      ${names.map((name) => {
        const value = env[name] ?? "";
        const hidden = value === "[sealed]" || SECRET_NAME.test(name);
        return html`<tr>
          <th scope="row"><code>${name}</code></th>
          <td>${hidden ? html`<span class="muted">[hidden]</span>` : html`<code>${value}</code>`}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function renderInstances(instances: readonly InstanceInfo[]): Html {
  if (instances.length === 0) return html`<p class="empty">No instance runs on this server.</p>`;
  return html`<table class="list instances">
    <thead>
      <tr>
        <th>Instance</th>
        <th>Release</th>
        <th>Status</th>
        <th>Address</th>
        <th>Since</th>
      </tr>
    </thead>
    <tbody>
      ${instances.map(
        (i) =>
          html`<tr>
            <td data-label="Instance">
              <code>${i.id}</code>
              <span class="muted">${i.driver}${i.pid === undefined ? "" : ` pid ${i.pid}`}</span>
            </td>
            <td data-label="Release">v${i.release}</td>
            <td data-label="Status">${renderStatus(i.status)}</td>
            <td data-label="Address"><code>${i.address}</code></td>
            <td data-label="Since">${renderTime(i.since)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The activity feed: the last events, newest first; the page's script adds live ones on top. */
export function renderActivity(events: readonly EventView[]): Html {
  return html`<ol id="activity" class="feed" data-state="connecting">
    ${[...events].reverse().map(
      (e) =>
        html`<li class="event ${e.error === undefined ? "" : "bad"}">
          ${renderTime(e.time)} <span class="type">${e.type}</span>
          <span class="message">${e.message}</span>
        </li>`,
    )}
  </ol>`;
}

export function renderLogTail(lines: readonly string[] | undefined): Html {
  const text = (lines ?? []).map((line) => `${line}\n`).join("");
  return html`<pre id="log" class="log" data-state="connecting">${text}</pre>`;
}

const CHARTS = [
  ["requests", "Requests per second"],
  ["errors", "Error rate"],
  ["latency", "Latency, first byte (ms)"],
  ["instances", "Instances"],
] as const;

export function renderCharts(): Html {
  return html`<div id="charts" class="charts">
    ${CHARTS.map(
      ([name, title]) =>
        html`<figure class="chart card" data-chart="${name}" data-points="0">
          <figcaption>${title}</figcaption>
          <div class="plot"></div>
          <p class="no-data muted" hidden>no figures from the front door yet</p>
        </figure>`,
    )}
  </div>`;
}
