// Scale to zero, wakes, density and independence (issue 13): cold starts through the front door
// beside the instance's own start, a burst from zero, the RSS of the door and the agent with many
// apps asleep, the door's cost (bench:front's measurement), and one app's deploy beside busy ones.
// Run: node dist/bench/scale.js [--wakes 1000] [--qemu-wakes 5] [--burst 50] [--asleep 100] [--on 20]
//      [--samples 15] [--apps 20] [--deploys 5] [--rounds 3] [--seconds 2] [--skip cold,qemu,density,cost,independence] [--json]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs } from "./bench-args.js";
import {
  GOALS,
  formatFrontDoorCost,
  measureFrontDoorCost,
  type FrontDoorCost,
} from "./measure-front-door-cost.js";
import { measureColdStart, type ColdFigures } from "./scale-cold.js";
import { measureQemuColdStart, qemuColdMissing, type QemuColdFigures } from "./scale-cold-qemu.js";
import { DENSITY_GOAL_MIB, measureDensity, type DensityFigures } from "./scale-density.js";
import { measureIndependence, type IndependenceFigures } from "./scale-independence.js";

const { values } = parseBenchArgs(
  "usage: node dist/bench/scale.js [--wakes 1000] [--qemu-wakes 5] [--burst 50] [--asleep 100] [--on 20] [--samples 15] [--apps 20] [--deploys 5] [--rounds 3] [--seconds 2] [--skip cold,qemu,density,cost,independence] [--json]",
  {
    wakes: { type: "string", default: "1000" },
    "qemu-wakes": { type: "string", default: "5" },
    burst: { type: "string", default: "50" },
    asleep: { type: "string", default: "100" },
    on: { type: "string", default: "20" },
    apps: { type: "string", default: "20" },
    // Density: memory samples a second apart once all apps settled; independence: deploys per host.
    samples: { type: "string", default: "15" },
    deploys: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "2" },
    skip: { type: "string", default: "" },
    json: { type: "boolean", default: false },
  },
);
// The agents run in this process: their JSON logs would drown the figures.
process.env.SKIFF_LOG_LEVEL ??= "silent";
const skip = new Set(values.skip.split(",").filter(Boolean));
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const root = mkdtempSync(join(tmpdir(), "skiff-bench-scale-"));
const figures: {
  cold?: ColdFigures;
  qemu?: QemuColdFigures | { missing: string };
  density?: DensityFigures;
  cost?: FrontDoorCost;
  independence?: IndependenceFigures;
} = {};
const ms = (n: number): string => `${n.toFixed(1)} ms`;
try {
  if (!skip.has("cold")) {
    log(`cold starts: ${values.wakes} wakes, a burst of ${values.burst}`);
    figures.cold = await measureColdStart({
      root,
      wakes: Number(values.wakes),
      burst: Number(values.burst),
      log,
    });
  }
  if (!skip.has("qemu")) {
    const missing = qemuColdMissing();
    log(`qemu cold starts: ${missing ?? `${values["qemu-wakes"]} wakes`}`);
    figures.qemu =
      missing === undefined
        ? await measureQemuColdStart({ root, wakes: Number(values["qemu-wakes"]), log })
        : { missing };
  }
  if (!skip.has("density")) {
    log(`density: ${values.asleep} apps asleep, ${values.on} always on`);
    figures.density = await measureDensity({
      root,
      asleep: Number(values.asleep),
      alwaysOn: Number(values.on),
      samples: Number(values.samples),
      log,
    });
  }
  if (!skip.has("cost")) {
    log("front-door cost");
    figures.cost = await measureFrontDoorCost({
      rounds: Number(values.rounds),
      seconds: Number(values.seconds),
      engines: ["haproxy"],
      perAppProxy: false,
      log,
    });
  }
  if (!skip.has("independence")) {
    log(`independence: ${values.apps} apps`);
    figures.independence = await measureIndependence({
      root,
      apps: Number(values.apps),
      deploys: Number(values.deploys),
    });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

if (values.json) console.log(JSON.stringify(figures, null, 2));
else {
  const { cold, qemu, density, cost, independence } = figures;
  if (cold) {
    const over = { p50: cold.coldMs.p50 - cold.ownStartMs.p50, p99: cold.coldMs.p99 - cold.ownStartMs.p99 };
    console.log(`cold start through the front door (unix), ${cold.wakes} wakes from zero:`);
    console.log(`  first SYN to first byte   p50 ${ms(cold.coldMs.p50)}  p99 ${ms(cold.coldMs.p99)}`);
    console.log(`  instance's own start      p50 ${ms(cold.ownStartMs.p50)}  p99 ${ms(cold.ownStartMs.p99)}`);
    console.log(
      `  over its own start        p50 ${ms(over.p50)} (goal ≤ 50 ms)  p99 ${ms(over.p99)} (goal ≤ 150 ms)`,
    );
    console.log(`  lost                      ${cold.lost} of ${cold.wakes} (goal 0)`);
    console.log(
      `  burst of ${cold.burst.connections} from zero  ${cold.burst.answered} answered (goal all), ${cold.burst.replicas} replicas woke`,
    );
  }
  if (qemu && "missing" in qemu)
    console.log(`cold start through the front door (qemu, TCG): not measured: ${qemu.missing}`);
  else if (qemu) {
    console.log(`cold start through the front door (qemu, TCG), ${qemu.wakes} wakes from zero:`);
    console.log(`  first SYN to first byte   p50 ${ms(qemu.coldMs.p50)}  p99 ${ms(qemu.coldMs.p99)}`);
    console.log(`  the VM's own start        p50 ${ms(qemu.ownStartMs.p50)}  p99 ${ms(qemu.ownStartMs.p99)}`);
    console.log(
      `  over its own start        p50 ${ms(qemu.coldMs.p50 - qemu.ownStartMs.p50)}  p99 ${ms(qemu.coldMs.p99 - qemu.ownStartMs.p99)}`,
    );
    console.log(`  lost                      ${qemu.lost} of ${qemu.wakes} (goal 0)`);
  }
  if (density) {
    const total = density.frontMiB + density.agentMiB;
    console.log(
      `density: ${density.asleep} apps min 0 + ${density.alwaysOn} always on (medians of ${density.samples} samples, 1 s apart, once all settled)`,
    );
    console.log(
      `  RSS: front door (with HAProxy) ${density.frontMiB.toFixed(1)} MiB + agent ${density.agentMiB.toFixed(1)} MiB = ${total.toFixed(1)} MiB (node's shared code counted in both)`,
    );
    console.log(
      density.togetherMiB === undefined
        ? `  together: not measured (reading page frames from /proc/PID/pagemap needs root)`
        : `  together, each page once: ${density.togetherMiB.toFixed(1)} MiB, highest sample ${density.togetherMaxMiB?.toFixed(1)} MiB (goal ≤ ${DENSITY_GOAL_MIB})`,
    );
  }
  if (cost) {
    console.log(`front-door cost (goal ≥ ${GOALS.ratio}× direct, p99 + ≤ ${GOALS.p99DeltaMs} ms):`);
    for (const line of formatFrontDoorCost(cost)) console.log(`  ${line}`);
  }
  if (independence) {
    console.log(
      `independence: ${independence.apps} apps, one in a 30 s window, one crash-looping (medians of ${independence.deploys} deploys)`,
    );
    console.log(
      `  third app's deploy  idle host ${ms(independence.idleHostMs)}  busy host ${ms(independence.busyHostMs)} (goal: the same)`,
    );
  }
}
