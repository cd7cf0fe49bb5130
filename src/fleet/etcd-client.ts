import { Etcd3, type IOptions } from "etcd3";
import { SkiffError } from "../errors/index.js";
import { redactUrl } from "../git/index.js";
import { DEFAULT_FLEET_PREFIX } from "./keys.js";
import type { FleetConnection } from "./types.js";

/** A unary call that gets no answer in this long counts as etcd being unreachable. */
const CALL_DEADLINE_MS = 5000;
/** How often a lost watch stream is re-dialled (the library's default backs off up to 30 s). */
const WATCH_RETRY_MS = 500;

/** Always the same delay: the watch stream comes back soon after etcd does. */
const watchBackoff = { duration: WATCH_RETRY_MS, next: () => watchBackoff };

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions["faultHandling"]>["host"]>>;

/**
 * Every call goes through to etcd. The library's default circuit breaker refuses calls for 5 s after
 * three failures, which kept a host from renewing its lease for that long after etcd came back (a
 * short TTL then expired and a holder lost its slot). The session retries with its own backoff.
 * etcd3 only ever calls execute() on a host policy.
 */
const passThrough = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as HostPolicy;

/** "http://a:2379,http://b:2379" (etcdctl's --endpoints form) → a checked list. */
export function parseFleetEndpoints(text: string): string[] {
  const endpoints = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  checkEndpoints(endpoints);
  return endpoints;
}

function checkEndpoints(endpoints: readonly string[]): void {
  if (endpoints.length === 0) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--fleet names no etcd endpoint", {
      hint: "give etcd's client URL: --fleet http://127.0.0.1:2379 (several: comma-separated)",
    });
  }
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    const plain = url !== undefined && url.username === "" && url.password === "" && url.pathname === "/";
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.port === "" || !plain) {
      throw new SkiffError("ERR_SKIFF_USAGE", `"${redactUrl(endpoint)}" is not an etcd client URL`, {
        hint: "write http://HOST:PORT or https://HOST:PORT, e.g. http://127.0.0.1:2379 (no credentials in the URL)",
      });
    }
  }
  if (new Set(endpoints.map((e) => e.startsWith("https:"))).size > 1) {
    throw new SkiffError("ERR_SKIFF_USAGE", "the etcd endpoints mix http:// and https://", {
      hint: "use one scheme for every member of the cluster",
    });
  }
}

export function checkPrefix(prefix: string = DEFAULT_FLEET_PREFIX): string {
  if (!/^\/([A-Za-z0-9._-]+\/)+$/.test(prefix)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `"${prefix}" is not a fleet key prefix`, {
      hint: "a prefix starts and ends with /, e.g. /skiff/v1/ (the default) or /prod/skiff/",
    });
  }
  return prefix;
}

/** An etcd v3 client that fails fast when etcd is away (the fleet code retries on its own terms). */
export function createEtcdClient(connection: FleetConnection): Etcd3 {
  checkEndpoints(connection.endpoints);
  const options: IOptions = {
    hosts: [...connection.endpoints],
    dialTimeout: 3000,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + CALL_DEADLINE_MS }),
    grpcOptions: {
      // Re-dial a restarted etcd within a second or two (grpc's default backoff grows to two minutes).
      "grpc.initial_reconnect_backoff_ms": 250,
      "grpc.max_reconnect_backoff_ms": 2000,
    },
    faultHandling: { host: () => passThrough, watchBackoff },
  };
  return new Etcd3(options);
}
