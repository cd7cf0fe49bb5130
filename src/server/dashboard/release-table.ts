import { html } from "hono/html";
import type { ReleaseView } from "../api/index.js";
import { renderTime } from "./format.js";
import type { Html } from "./layout.js";
import type { Session } from "./sessions.js";

/** The app's releases, newest first: current marked, the stage verdict and figures, who pushed, when; rollback and promote. */
export function renderReleases(app: string, releases: readonly ReleaseView[], session: Session): Html {
  if (releases.length === 0) return html`<p class="empty">No releases yet: push the app.</p>`;
  const current = releases.find((r) => r.current)?.release;
  return html`<table class="list releases">
    <thead>
      <tr>
        <th>Release</th>
        <th>Created</th>
        <th>Pushed by</th>
        <th>Stage</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${[...releases].reverse().map(
        (r) =>
          html`<tr data-release="${r.release}" class="${r.current ? "current" : ""}">
            <td data-label="Release">
              <span class="release">v${r.release}</span>
              ${r.current ? html`<span class="badge ok">current</span>` : ""}
              ${r.staging ? html`<span class="badge busy">staging</span>` : ""}
              ${r.commit === undefined ? "" : html`<code class="commit">${r.commit.slice(0, 7)}</code>`}
            </td>
            <td data-label="Created">${renderTime(r.created)}</td>
            <td data-label="Pushed by">${r.pushedBy ?? html`<span class="muted">—</span>`}</td>
            <td data-label="Stage">${renderStage(r)}</td>
            <td class="actions">${renderActions(app, r, current, session)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function renderStage(release: ReleaseView): Html {
  const stage = release.stage;
  if (stage === undefined) return html`<span class="muted">—</span>`;
  const load = stage.loads[0]?.figures;
  const tests = stage.tests.length;
  const passedTests = stage.tests.filter((t) => t.passed).length;
  return html`<span class="status ${stage.verdict === "passed" ? "ok" : "bad"}">${stage.verdict}</span>
    <span class="figures">
      ${tests === 0 ? "" : html`${passedTests}/${tests} tests`}
      ${
        load === undefined
          ? ""
          : html` · ${Math.round(load.rate)} req/s · p99 ${Math.round(load.latency.p99)} ms ·
            ${(load.errorRate * 100).toFixed(1)}% errors`
      }
    </span>
    ${stage.verdict === "failed" ? html`<span class="stage-summary">${stage.summary}</span>` : ""}`;
}

/** Rollback to an older release, promote a release that passed staging; disabled for a read-only token. */
function renderActions(
  app: string,
  release: ReleaseView,
  current: number | undefined,
  session: Session,
): Html {
  if (release.current) return "";
  const older = current !== undefined && release.release < current;
  const promotable =
    release.stage?.verdict === "passed" && (current === undefined || release.release > current);
  if (!older && !promotable) return "";
  const action = older ? "rollback" : "promote";
  const label = older ? `Roll back to v${release.release}` : `Promote v${release.release}`;
  if (session.readOnly)
    return html`<button type="button" disabled title="your token is read-only">${label}</button>`;
  return html`<form method="post" action="/apps/${app}/${action}" data-change="${action}">
    <input type="hidden" name="csrf" value="${session.csrf}" />
    <input type="hidden" name="release" value="${release.release}" />
    <button type="submit" class="${older ? "secondary" : ""}">${label}</button>
  </form>`;
}
