// Status badges and release numbers kept current from the API (the server renders the first ones).

const TONE = { running: "ok", confirming: "busy", building: "busy", none: "none" };

export function setStatus(badge, status) {
  if (!badge) return;
  badge.textContent = status;
  badge.dataset.status = status;
  badge.className = `status ${TONE[status] ?? "bad"}`;
}

export function statusBadge(status) {
  const badge = document.createElement("span");
  setStatus(badge, status);
  return badge;
}

/** GET an API path as JSON; undefined when it fails (the next refresh tries again); a lost session goes to the login form. */
export async function readJson(path) {
  try {
    const response = await fetch(path);
    if (response.status === 401) location.assign("/login");
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}
