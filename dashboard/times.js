// Shows every <time datetime> of the page as "3 min ago", its full time as the tooltip.

function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export function showRelativeTimes(root) {
  const update = () => {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const at = Date.parse(time.dateTime);
      if (Number.isNaN(at)) continue;
      if (!time.title) time.title = time.textContent;
      time.textContent = ago(Date.now() - at);
    }
  };
  update();
  setInterval(update, 30_000);
}

/** A <time> element for an ISO time, shown relative. */
export function timeElement(iso) {
  const time = document.createElement("time");
  time.dateTime = iso;
  time.title = iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
  time.textContent = ago(Date.now() - Date.parse(iso));
  return time;
}
