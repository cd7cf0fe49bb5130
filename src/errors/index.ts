export { ERROR_CODES, type ErrorCode } from "./codes.js";
export {
  SkiffError,
  isSkiffError,
  serializeError,
  type SerializedError,
  type SkiffErrorOptions,
} from "./skiff-error.js";
export { formatError } from "./format-error.js";
