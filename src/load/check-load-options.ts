import { SkiffError } from "../errors/index.js";
import type { LoadOptions } from "./types.js";

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]|::1)$/;

function usage(message: string, hint: string): SkiffError {
  return new SkiffError("ERR_SKIFF_USAGE", message, { hint });
}

/** Checks a load run's bounds and target before anything is sent; returns the target URL. */
export function checkLoadOptions(options: LoadOptions): URL {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw usage(`"${options.url}" is not a URL`, "Give an http:// URL such as http://127.0.0.1:8080/.");
  }
  if (url.protocol !== "http:")
    throw usage(`the load generator speaks http only, not ${url.protocol}`, "Use an http:// URL.");
  if (!options.allowRemote && !LOOPBACK.test(url.hostname)) {
    throw usage(
      `the load target ${url.host} is not a loopback address`,
      "Load tests run against this host only: use 127.0.0.1.",
    );
  }
  if ((options.rate === undefined) === (options.concurrency === undefined)) {
    throw usage(
      "a load run needs exactly one of rate (open model) or concurrency (closed model)",
      "Set stage.load.rate or stage.load.concurrency.",
    );
  }
  const positive: [string, number | undefined][] = [
    ["rate", options.rate],
    ["concurrency", options.concurrency],
    ["durationMs", options.durationMs],
    ["maxRequests", options.maxRequests],
    ["timeoutMs", options.timeoutMs],
  ];
  for (const [name, value] of positive) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw usage(
        `${name} must be a positive number, not ${value}`,
        "Bound every load run in time and in requests.",
      );
    }
  }
  return url;
}
