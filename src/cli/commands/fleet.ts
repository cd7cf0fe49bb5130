import type { Command } from "commander";
import { printJson, printTable } from "../output.js";

interface FleetStatusCommandOptions {
  fleet?: string;
  prefix?: string;
  json?: boolean;
}

/** `skiff fleet status [APP]`: the hosts of a fleet, their apps, and each app's rollout, read from etcd. */
export function registerFleetCommands(program: Command): void {
  const fleet = program
    .command("fleet")
    .description("The hosts that follow one deployment repository through etcd");
  fleet
    .command("status [app]")
    .description(
      "One line per host and app (release, sync, health, drivers, targets, error), then each app's rollout",
    )
    .option(
      "--fleet <urls>",
      "etcd's client URL(s), comma-separated: http://127.0.0.1:2379 (default: ask the logged-in server)",
    )
    .option("--prefix <prefix>", "the fleet's key prefix in etcd (default /skiff/v1/)")
    .option("--json", "print the status as JSON on stdout")
    .action(async (app: string | undefined, options: FleetStatusCommandOptions) => {
      const { describeFleetStatus, parseFleetEndpoints, readFleetStatus } =
        await import("../../fleet/index.js");
      const status =
        options.fleet === undefined
          ? await (await import("../remote/fleet.js")).readRemoteFleet(app)
          : await readFleetStatus({
              endpoints: parseFleetEndpoints(options.fleet),
              ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
              ...(app === undefined ? {} : { app }),
            });
      if (options.json) return printJson(status);
      const text = describeFleetStatus(status);
      if (text.rows.length > 1) printTable(text.rows);
      else process.stdout.write(app === undefined ? "no hosts in the fleet\n" : `no host publishes ${app}\n`);
      for (const line of text.rollouts) process.stdout.write(line + "\n");
    });
}
