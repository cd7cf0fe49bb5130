import { SkiffError } from "../errors/index.js";

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30s" → 30000. Durations stay strings in config and manifests; this converts at the point of use. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new SkiffError("ERR_SKIFF_USAGE", `"${text}" is not a duration`, {
      hint: "write a number and a unit: 500ms, 30s, 10m, 2h, 14d",
    });
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const SIZE_PATTERN = /^(\d+)([KMG]i?B?|[kmg])?$/;

/** "128M" → 128 (MiB). A bare number is MiB. */
export function parseMemoryMiB(text: string): number {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) {
    throw new SkiffError("ERR_SKIFF_USAGE", `"${text}" is not a memory size`, {
      hint: "write 64M, 128M or 1G",
    });
  }
  const value = Number(match[1]);
  const unit = (match[2] ?? "M").charAt(0).toUpperCase();
  if (unit === "K") return Math.max(1, Math.ceil(value / 1024));
  if (unit === "G") return value * 1024;
  return value;
}
