import { CommanderError } from "commander";
import { classifyHostFault, formatError, isSkiffError } from "../errors/index.js";
import { createProgram } from "./program.js";

/** The entry point: the only place that maps errors to exit codes. */
async function main(): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(formatError(error) + "\n");
    // A host fault (a full disk …) is named, not a bug.
    return isSkiffError(error) || classifyHostFault(error) ? 1 : 70;
  }
}

const code = await main();
// Long-running commands (agent, server) never return here until they stop.
process.exitCode = code;
