// Server-Sent Events of the API (the session cookie authenticates them): the log tail and the activity feed.
import { timeElement } from "./times.js";

const MAX_LINES = 500;
const MAX_EVENTS = 100;

function indicate(element, state) {
  element.dataset.state = state;
  const badge = document.querySelector(`.live[data-for="${element.id}"]`);
  if (!badge) return;
  badge.textContent = state === "live" ? "● live" : state;
  badge.dataset.state = state;
}

/** An EventSource that marks `element` live once the server's `ready` arrives, and says when it reconnects. */
function follow(url, element, handlers) {
  const source = new EventSource(url);
  source.addEventListener("ready", () => indicate(element, "live"));
  for (const [name, handle] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
  }
  // Both the browser's connection errors (no data: it reconnects by itself) and the server's `error` event.
  source.addEventListener("error", (event) => {
    if (event.data === undefined && source.readyState === EventSource.CONNECTING)
      indicate(element, "reconnecting");
    else if (event.data === undefined) indicate(element, "closed");
    else indicate(element, "failed");
  });
  addEventListener("pagehide", () => source.close());
  return source;
}

export function followLog(app, pre) {
  const stuckToBottom = () => pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
  pre.scrollTop = pre.scrollHeight;
  follow(`/api/v1/apps/${encodeURIComponent(app)}/logs/stream`, pre, {
    line: ({ line }) => {
      const atBottom = stuckToBottom();
      const row = document.createElement("span");
      row.className = "line";
      row.textContent = `${line}\n`;
      pre.append(row);
      while (pre.querySelectorAll("span.line").length > MAX_LINES) pre.querySelector("span.line").remove();
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    },
  });
}

export function followActivity(app, list, onEvent) {
  follow(`/api/v1/events/stream?app=${encodeURIComponent(app)}`, list, {
    event: (event) => {
      const item = document.createElement("li");
      item.className = event.error ? "event bad fresh" : "event fresh";
      const type = document.createElement("span");
      type.className = "type";
      type.textContent = event.type;
      const message = document.createElement("span");
      message.className = "message";
      message.textContent = event.message;
      item.append(timeElement(event.time), " ", type, " ", message);
      list.prepend(item);
      while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
      onEvent?.(event);
    },
  });
}
