import { CommanderError } from "commander";
import { classifyHostFault, formatError, isSkiffError } from "../errors/index.js";
import { createProgram } from "./program.js";

/**
 * A reader that stops reading (`skiff status | head -1`) ends the output, not the command with a
 * stack: the rest is dropped, as other Unix tools do on a closed pipe.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    stream.destroy();
  });
}

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

endQuietlyOnClosedPipe(process.stdout);
const code = await main();
// Long-running commands (agent, server) never return here until they stop.
process.exitCode = code;
