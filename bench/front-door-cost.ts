// The front door's cost: throughput and p99 straight to an instance and through the door (a publish
// port carrying TCP, one speaking HTTP, and its shared listener by Host), 8 clients, a new connection per request, alternating in one run.
// Run: node dist/bench/front-door-cost.js [--rounds 5] [--seconds 2] [--engines node,haproxy] [--json]
import { parseBenchArgs } from "./bench-args.js";
import { GOALS, formatFrontDoorCost, measureFrontDoorCost } from "./measure-front-door-cost.js";

const { values } = parseBenchArgs(
  "usage: node dist/bench/front-door-cost.js [--rounds 5] [--seconds 2] [--engines node,haproxy] [--no-per-app] [--json]",
  {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "2" },
    engines: { type: "string", default: "node,haproxy" },
    "no-per-app": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
);
const engines = values.engines
  .split(",")
  .filter((e): e is "node" | "haproxy" => e === "node" || e === "haproxy");
const result = await measureFrontDoorCost({
  rounds: Number(values.rounds),
  seconds: Number(values.seconds),
  engines,
  perAppProxy: !values["no-per-app"],
  log: (line) => process.stderr.write(`${line}\n`),
});
if (values.json) console.log(JSON.stringify({ goals: GOALS, ...result }, null, 2));
else for (const line of formatFrontDoorCost(result)) console.log(line);
