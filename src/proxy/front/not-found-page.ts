/** The page for a request whose Host names no app: the known hostnames only when the index is on. Pure. */
export function renderNotFoundPage(options: {
  host: string | undefined;
  /** Hostnames of the apps on this door, with the port to show in links (the shared listener's). */
  hostnames: readonly string[];
  port: number | undefined;
  index: boolean;
}): string {
  const asked =
    options.host === undefined
      ? "this request has no Host header"
      : `no app is called ${escapeHtml(options.host)} here`;
  const lines = [
    "<!doctype html>",
    '<html><head><meta charset="utf-8"><title>404 Not Found</title></head><body>',
    "<h1>404 Not Found</h1>",
    `<p>skiff: ${asked}.</p>`,
  ];
  if (options.index) {
    const port = options.port === undefined || options.port === 80 ? "" : `:${options.port}`;
    const items = [...options.hostnames]
      .sort()
      .map((name) => `<li><a href="http://${escapeHtml(name)}${port}/">${escapeHtml(name)}</a></li>`);
    lines.push(
      items.length === 0 ? "<p>No app has a hostname yet.</p>" : `<p>Apps:</p><ul>${items.join("")}</ul>`,
    );
  }
  lines.push("</body></html>", "");
  return lines.join("\n");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
