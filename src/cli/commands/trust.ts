import type { Command } from "commander";

export function registerTrustCommands(_program: Command): void {
  // Filled in by the part that owns these commands.
}
