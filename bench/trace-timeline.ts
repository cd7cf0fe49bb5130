// Prints the processes recorded in a SKIFF_TRACE_PROCESSES file, one push at a time, in ms from
// the push's start: node dist/bench/trace-timeline.js TRACE [--push N] (default: the last push).
import { readFileSync } from "node:fs";
import { parseBenchArgs } from "./bench-args.js";

interface TraceLine {
  pid: number;
  at: number;
  ms: number;
  what: string;
}

const { values, positionals } = parseBenchArgs(
  "usage: node dist/bench/trace-timeline.js TRACE [--push N]",
  { push: { type: "string" } },
  { allowPositionals: true },
);
const file = positionals[0];
if (!file) throw new Error("usage: trace-timeline TRACE [--push N]");
const lines = readFileSync(file, "utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line) as TraceLine)
  .sort((a, b) => a.at - b.at);
const starts = lines.filter((l) => / start$/.test(l.what) && l.what.startsWith("push "));
const start =
  values.push === undefined ? starts.at(-1) : starts.find((l) => l.what === `push ${values.push} start`);
if (!start) throw new Error("no push start in the trace");
const next = starts.find((l) => l.at > start.at);
const end = next?.at ?? Infinity;
const pids = new Map<number, string>();
for (const line of lines.filter((l) => l.at >= start.at && l.at < end)) {
  if (!pids.has(line.pid)) pids.set(line.pid, `p${pids.size}`);
  const offset = String(line.at - start.at).padStart(6);
  const took = `+${line.ms}`.padStart(6);
  process.stdout.write(
    `${offset} ${took} ${pids.get(line.pid)!.padEnd(4)} ${line.what.replace(/^git -c user\.name=skiff -c user\.email=skiff@localhost /, "git ")}\n`,
  );
}
