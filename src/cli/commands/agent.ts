import type { Command } from "commander";

export function registerAgentCommands(_program: Command): void {
  // Filled in by the part that owns these commands.
}
