import { Counter, Registry } from "prom-client";

/** The server's Prometheus metrics; labels never carry a token, a secret or a user's name. */
export interface ServerMetrics {
  registry: Registry;
  gitRequests: Counter<"repo" | "service" | "status">;
  pushes: Counter<"outcome">;
  webhooks: Counter<"kind" | "outcome">;
}

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  return {
    registry,
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
