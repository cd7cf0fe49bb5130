import { FAULT_KINDS, type FaultKind } from "./types.js";

export interface SoakOptions {
  minutes: number;
  seed: number;
  /** How many fixture apps (2 or 3). */
  apps: number;
  /** Requests per second to each app on each host. */
  rate: number;
  /** Pause between one fault's end and the next fault, drawn from [min, max] seconds. */
  gapSeconds: [number, number];
  kinds: FaultKind[];
  /** The follower's data dir is a tmpfs of this size (fill-disk). */
  diskSize: string;
  /** How long every app gets, after the run, to serve its current release on every host. */
  settleSeconds: number;
  /** The agents' poll interval (pushes and the server's webhooks trigger them at once). */
  poll: string;
  json: boolean;
  /** Leave the last app idle and wake it now and then (where deploy.scale.min: 0 is honoured). */
  wake: boolean;
  /** Keep the run's folder (data dirs, logs, records) instead of removing it. */
  keep: boolean;
}

export const USAGE = `usage: npm run soak -- [--minutes 10] [--seed S] [--apps 3] [--rate 4] [--gap 4-12]
       [--kinds ${FAULT_KINDS.join(",")}] [--disk-size 256m] [--settle 60] [--poll 2s] [--skip-wake] [--json] [--keep]`;

/** Parsed values of parseArgs (strings and booleans) into checked options; throws a message. */
export function readSoakOptions(values: Record<string, string | boolean | undefined>): SoakOptions {
  const number = (name: string, fallback: number, min: number): number => {
    const raw = values[name];
    const value = typeof raw === "string" ? Number(raw) : fallback;
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return value;
  };
  const gap = typeof values.gap === "string" ? values.gap.split("-").map(Number) : [4, 12];
  if (gap.length !== 2 || gap.some((g) => !Number.isFinite(g) || g < 0) || gap[0]! > gap[1]!) {
    throw new Error("--gap must be MIN-MAX seconds, e.g. 4-12");
  }
  const kinds = typeof values.kinds === "string" ? values.kinds.split(",").filter(Boolean) : [...FAULT_KINDS];
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new Error(`unknown fault kind ${unknown.join(", ")} (${FAULT_KINDS.join(", ")})`);
  const apps = number("apps", 3, 1);
  if (apps > 3) throw new Error("--apps is at most 3");
  const seed = number("seed", Date.now() % 2 ** 32, 0);
  return {
    minutes: number("minutes", 10, 0.1),
    seed: Math.floor(seed) >>> 0,
    apps,
    rate: number("rate", 4, 0.1),
    gapSeconds: [gap[0]!, gap[1]!],
    kinds: kinds as FaultKind[],
    diskSize: typeof values["disk-size"] === "string" ? values["disk-size"] : "256m",
    settleSeconds: number("settle", 60, 1),
    poll: typeof values.poll === "string" ? values.poll : "2s",
    json: values.json === true,
    wake: values["skip-wake"] !== true,
    keep: values.keep === true,
  };
}

export const OPTION_SPEC = {
  minutes: { type: "string" },
  seed: { type: "string" },
  apps: { type: "string" },
  rate: { type: "string" },
  gap: { type: "string" },
  kinds: { type: "string" },
  "disk-size": { type: "string" },
  settle: { type: "string" },
  poll: { type: "string" },
  json: { type: "boolean", default: false },
  "skip-wake": { type: "boolean", default: false },
  keep: { type: "boolean", default: false },
} as const;
