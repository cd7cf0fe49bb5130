import type { Command } from "commander";
import { printJson, say } from "../output.js";

interface RolloutCommandOptions {
  fleet: string;
  prefix?: string;
  json?: boolean;
}

/** `skiff rollout pause|resume APP`: hosts waiting for a swap slot wait until resumed; swaps under way finish. */
export function registerRolloutCommands(program: Command): void {
  const rollout = program.command("rollout").description("Control an app's rolling deploy across a fleet");
  for (const verb of ["pause", "resume"] as const) {
    rollout
      .command(`${verb} <app>`)
      .description(
        verb === "pause"
          ? "Hosts that have not swapped yet wait (swaps under way finish); lasts until resume"
          : "Waiting hosts go on swapping, max_parallel at a time",
      )
      .requiredOption("--fleet <urls>", "etcd's client URL(s), comma-separated: http://127.0.0.1:2379")
      .option("--prefix <prefix>", "the fleet's key prefix in etcd (default /skiff/v1/)")
      .option("--json", "print the result on stdout")
      .action(async (app: string, options: RolloutCommandOptions) => {
        const fleet = await import("../../fleet/index.js");
        const control = {
          endpoints: fleet.parseFleetEndpoints(options.fleet),
          app,
          ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        };
        const changed =
          verb === "pause" ? await fleet.pauseRollout(control) : await fleet.resumeRollout(control);
        const state = verb === "pause" ? "paused" : "resumed";
        say(
          changed
            ? `${app}: rollouts ${state}`
            : `${app}: rollouts were already ${verb === "pause" ? "paused" : "running"}`,
        );
        if (options.json) printJson({ app, [state]: true, changed });
      });
  }
}
