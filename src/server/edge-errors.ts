import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isSkiffError } from "../errors/index.js";
import type { Logger } from "../log/index.js";

/**
 * hono's onError for every skiff HTTP app: whatever a handler throws is logged with its stack and
 * answered as JSON (a SkiffError with its own code; anything else as ERR_SKIFF_INTERNAL, a bug),
 * and the process goes on serving.
 */
export function answerHandlerError(logger: Logger): (error: Error, c: Context) => Response {
  return (error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    const request = { method: c.req.method, path: new URL(c.req.url).pathname };
    if (isSkiffError(error)) {
      logger.warn({ ...request, error: error.toJSON() }, `request failed: ${error.message}`);
      return c.json(error.toJSON(), 500);
    }
    logger.error({ ...request, err: error }, "request handler failed (a bug in skiff)");
    return c.json(
      {
        code: "ERR_SKIFF_INTERNAL",
        message: error.message,
        hint: "this is a bug in skiff: report it with the server's log, which has the stack",
      },
      500,
    );
  };
}
