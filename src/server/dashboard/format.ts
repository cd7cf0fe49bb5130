import { html } from "hono/html";
import type { Html } from "./layout.js";

const GOOD = new Set(["running"]);
const BUSY = new Set(["confirming", "building"]);

/** An app's or instance's status as a coloured badge. */
export function renderStatus(status: string): Html {
  const tone = GOOD.has(status) ? "ok" : BUSY.has(status) ? "busy" : status === "none" ? "none" : "bad";
  return html`<span class="status ${tone}" data-status="${status}">${status}</span>`;
}

/** An ISO time as "2026-12-02 00:35:06 UTC" in a <time> (the page's script shows it relative). */
export function renderTime(iso: string | undefined): Html {
  if (iso === undefined || iso === "") return html`<span class="muted">—</span>`;
  const shown = iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
  return html`<time datetime="${iso}">${shown}</time>`;
}
