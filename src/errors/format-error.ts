import { classifyHostFault } from "./host-fault.js";
import { isSkiffError } from "./skiff-error.js";

/**
 * Known errors (and host faults such as a full disk) print code, message and hint without a stack;
 * unknown ones print the stack and say it is a bug.
 */
export function formatError(thrown: unknown): string {
  const error = classifyHostFault(thrown) ?? thrown;
  if (isSkiffError(error)) {
    const lines = [`error ${error.code}: ${error.message}`];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    return lines.join("\n");
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `error ERR_SKIFF_INTERNAL: this is a bug in skiff, please report it\n${stack}`;
}
