import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isSkiffError, type ErrorCode, type SerializedError, type SkiffError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";

/** The HTTP status of a known error; any other known code is a conflict with the app's state (409). */
const STATUS_OF: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  ERR_SKIFF_AUTH: 401,
  ERR_SKIFF_FORBIDDEN: 403,
  ERR_SKIFF_NOT_FOUND: 404,
  ERR_SKIFF_NO_SUCH_APP: 404,
  ERR_SKIFF_NO_SUCH_RELEASE: 404,
  ERR_SKIFF_REQUEST_INVALID: 422,
  ERR_SKIFF_APP_NAME_INVALID: 422,
  ERR_SKIFF_USAGE: 422,
  ERR_SKIFF_WEBHOOK_TOO_LARGE: 413,
  ERR_SKIFF_AGENT_LOCKED: 503,
  ERR_SKIFF_GIT: 500,
  ERR_SKIFF_INTERNAL: 500,
  ERR_SKIFF_SERVER: 500,
  ERR_SKIFF_STATE_CORRUPT: 500,
  ERR_SKIFF_STORE_FAILED: 500,
};

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS_OF[code] ?? 409;
}

/** Every API error body: code, message and a hint, always (docs/errors.md has every code). */
export interface ApiErrorBody extends SerializedError {
  hint: string;
}

export function errorBody(error: SkiffError): ApiErrorBody {
  const json = error.toJSON();
  return { ...json, hint: json.hint ?? `see ${error.code} in docs/errors.md` };
}

/**
 * The answer to any error thrown by a route. A SkiffError is answered as it is; anything else is a
 * bug: logged with its stack under a request id, answered 500 without its message (which could
 * carry what the request held).
 */
export function answerError(
  c: Context,
  error: unknown,
  logger: Logger,
  status?: ContentfulStatusCode,
): Response {
  if (isSkiffError(error))
    return c.json(errorBody(error), status ?? statusOf(error.code), authenticateHeader(error));
  const requestId = randomBytes(6).toString("hex");
  logger.error({ err: error, requestId, method: c.req.method, path: c.req.path }, "API request failed");
  return c.json(
    {
      code: "ERR_SKIFF_INTERNAL",
      message: "skiff server failed unexpectedly: this is a bug in skiff, please report it",
      hint: `the server's log has the stack under requestId ${requestId}`,
      data: { requestId },
    },
    500,
  );
}

function authenticateHeader(error: SkiffError): Record<string, string> {
  // Bearer only: offering Basic makes browsers pop a login dialog over the dashboard.
  return error.code === "ERR_SKIFF_AUTH" ? { "WWW-Authenticate": 'Bearer realm="skiff"' } : {};
}
