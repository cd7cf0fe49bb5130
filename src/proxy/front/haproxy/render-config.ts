import { formatAddress } from "../../address.js";
import {
  HOLD_SERVER,
  httpBackend,
  servesHttp,
  tcpBackend,
  type HaproxyApp,
  type HaproxyModel,
  type HaproxyPaths,
} from "./haproxy-model.js";

/** Idle timeouts: HAProxy needs some; the door's own path has none, so they are long. */
const IDLE = "1h";

/** An HTTP client gets this long for a request's head, and for its next one on a kept connection. */
const HTTP_CLIENT_TIMEOUTS = ["  timeout http-request 10s", "  timeout http-keep-alive 10s"];

function servers(app: HaproxyApp, holdSocket: string): string[] {
  // A draining backend has weight 0: no new connections. With no ready backend the hold server (the
  // door, as a backup server) takes the connection and holds it while the app wakes.
  return [
    ...app.backends.map(
      (b) => `  server ${b.id} ${formatAddress(b.address)}${b.state === "draining" ? " weight 0" : ""}`,
    ),
    // The door's hold socket gets one request per connection: a pooled one would stay piped to whatever instance served it.
    `  server ${HOLD_SERVER} unix@${holdSocket} backup pool-max-conn 0`,
  ];
}

/** haproxy.cfg for the whole door: one frontend per published app, the shared listener, a backend per app and mode. Pure. */
export function renderHaproxyConfig(model: HaproxyModel, paths: HaproxyPaths): string {
  const lines = [
    "# Written by skiff's front door (src/proxy/front/haproxy); every change of the door rewrites it.",
    "global",
    "  nbthread 1",
    `  stats socket ${paths.stats} mode 600 level admin expose-fd listeners`,
    // An old worker serving connections from before a reload is stopped after this long.
    "  hard-stop-after 10m",
    "defaults",
    "  mode tcp",
    "  timeout connect 5s",
    `  timeout client ${IDLE}`,
    `  timeout server ${IDLE}`,
    `  timeout tunnel ${IDLE}`,
    "  timeout client-fin 30s",
    "  timeout server-fin 30s",
    // A refused connect is tried again, on another backend when there is one (no byte was sent yet).
    "  retries 3",
    "  option redispatch 1",
  ];
  for (const app of model.apps) {
    if (app.publish === null) continue;
    if (app.publishHttp) {
      lines.push(
        `frontend p_${app.app}`,
        "  mode http",
        `  bind ${formatAddress(app.publish)}`,
        ...HTTP_CLIENT_TIMEOUTS,
        `  default_backend ${httpBackend(app.app)}`,
      );
      continue;
    }
    lines.push(
      `frontend p_${app.app}`,
      `  bind ${formatAddress(app.publish)}`,
      `  default_backend ${tcpBackend(app.app)}`,
      `backend ${tcpBackend(app.app)}`,
      "  balance leastconn",
      ...servers(app, paths.hold(app.app, "tcp")),
    );
  }
  if (model.front !== null) {
    lines.push(
      "frontend shared",
      "  mode http",
      `  bind ${formatAddress(model.front)}`,
      ...HTTP_CLIENT_TIMEOUTS,
      // Host without port, in lower case, without a final dot; the map names the app's backend.
      "  http-request set-var(txn.host) req.hdr(host),field(1,:),lower,regsub('\\.$','')",
      `  use_backend %[var(txn.host),map_str(${paths.map})] if { var(txn.host),map_str(${paths.map}) -m found }`,
      "  default_backend unknown_host",
      "backend unknown_host",
      "  mode http",
      `  server door unix@${paths.unknown}`,
    );
  }
  for (const app of model.apps) {
    if (!servesHttp(app)) continue;
    lines.push(
      `backend ${httpBackend(app.app)}`,
      "  mode http",
      "  balance leastconn",
      // An instance's connection is kept after a response and serves the next client's request: no connect per
      // request. Kept connections are not sessions, so they never count as open or keep an app awake.
      "  http-reuse always",
    );
    // A kept connection the instance closed just as a request went out is retried on a new one, as browsers do:
    // for safe methods only, unless the app has replay (deploy.proxy.replay: idempotent apps, every request).
    if (app.replay) lines.push("  retry-on conn-failure empty-response response-timeout");
    else
      lines.push(
        "  retry-on conn-failure empty-response",
        "  http-request disable-l7-retry unless METH_GET or METH_OPTIONS",
      );
    lines.push(...servers(app, paths.hold(app.app, "http")));
  }
  return `${lines.join("\n")}\n`;
}

/** The host map: "hostname backend" per line. Pure. */
export function renderHostMap(model: HaproxyModel): string {
  return model.apps
    .filter((a) => a.hostname !== null)
    .map((a) => `${a.hostname} ${httpBackend(a.app)}\n`)
    .join("");
}
