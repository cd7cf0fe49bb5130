import type { Command } from "commander";
import { lazyAction } from "../lazy-action.js";

/** `skiff agent install` / `skiff server install`: the parent command's options, written as a systemd unit. */
export function addInstallCommand(parent: Command): void {
  const name = parent.name();
  parent
    .command("install")
    .description(
      `Write a systemd unit that runs skiff ${name} with these options (absolute paths, Restart=always); secrets stay in their files`,
    )
    .option("--unit-dir <dir>", "where to write the unit", "/etc/systemd/system")
    .option("--unit-name <name>", `the unit's name (default skiff-${name})`)
    .option("--print", "print the unit on stdout instead of writing it")
    .action(lazyAction(() => import("../actions/install.js"), "installUnitCommand"));
}
