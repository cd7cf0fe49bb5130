import type { Command } from "commander";

export function registerServerCommands(_program: Command): void {
  // Filled in by the part that owns these commands.
}
