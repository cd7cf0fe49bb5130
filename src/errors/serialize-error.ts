import { classifyHostFault } from "./host-fault.js";
import { isSkiffError, type SerializedError } from "./skiff-error.js";

/**
 * Any thrown value as a serialisable error: a host fault (a full disk …) by its own code, unknown
 * errors with their message and ERR_SKIFF_INTERNAL (a bug).
 */
export function serializeError(error: unknown): SerializedError {
  if (isSkiffError(error)) return error.toJSON();
  const fault = classifyHostFault(error);
  if (fault) return fault.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { code: "ERR_SKIFF_INTERNAL", message };
}
