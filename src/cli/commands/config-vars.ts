import type { Command } from "commander";

export function registerConfigCommands(_program: Command): void {
  // Filled in by the part that owns these commands.
}
