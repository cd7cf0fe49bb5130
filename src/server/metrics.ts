import { Counter, type Registry } from "prom-client";
import type { HostMetrics } from "../metrics/index.js";

/** The server's Prometheus metrics; labels never carry a token, a secret or a user's name. */
export interface ServerMetrics {
  registry: Registry;
  /** The Prometheus text of /metrics: the server's own series and its host's (docs/metrics.md). */
  scrape(): Promise<string>;
  gitRequests: Counter<"repo" | "service" | "status">;
  pushes: Counter<"outcome">;
  webhooks: Counter<"kind" | "outcome">;
}

/** The server's series, in the registry of its host's metrics (one /metrics for both). */
export function createServerMetrics(host: HostMetrics): ServerMetrics {
  const registry = host.metrics.registry;
  return {
    registry,
    scrape: () => host.scrape(),
    gitRequests: new Counter({
      name: "skiff_git_requests_total",
      help: "git smart-HTTP requests, by repository kind (app or deploy), service and status",
      labelNames: ["repo", "service", "status"],
      registers: [registry],
    }),
    pushes: new Counter({
      name: "skiff_pushes_total",
      help: "pushes to main, by outcome (released, rejected, replaced)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: "skiff_webhooks_total",
      help: "webhooks received, by kind (github, skiff) and outcome",
      labelNames: ["kind", "outcome"],
      registers: [registry],
    }),
  };
}

/** Which git service a request is for: upload-pack (fetch), receive-pack (push) or other (dumb HTTP). */
export function gitServiceOf(path: string, query: URLSearchParams): string {
  const service = query.get("service") ?? path.slice(path.lastIndexOf("/") + 1);
  if (service === "git-upload-pack") return path.endsWith("/info/refs") ? "upload-pack-refs" : "upload-pack";
  if (service === "git-receive-pack")
    return path.endsWith("/info/refs") ? "receive-pack-refs" : "receive-pack";
  return "other";
}
