import type { Command } from "commander";

export function registerBuildCommands(_program: Command): void {
  // Filled in by the part that owns these commands.
}
