export { ERROR_CODES, type ErrorCode } from "./codes.js";
export { SkiffError, isSkiffError, type SerializedError, type SkiffErrorOptions } from "./skiff-error.js";
export { serializeError } from "./serialize-error.js";
export {
  classifyHostFault,
  classifyProgramFault,
  isRetryableFailure,
  type HostFaultContext,
} from "./host-fault.js";
export { formatError } from "./format-error.js";
