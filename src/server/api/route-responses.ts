import { ErrorSchema } from "./schemas.js";

const DESCRIPTIONS: Record<number, string> = {
  401: "no token, or a token that is not valid (ERR_SKIFF_AUTH)",
  403: "the token is read-only (ERR_SKIFF_FORBIDDEN)",
  404: "no such app, release or route",
  409: "the change conflicts with the app's state (the code says how)",
  422: "the body, path or query does not match the schema (ERR_SKIFF_REQUEST_INVALID)",
  500: "a bug in skiff (ERR_SKIFF_INTERNAL, logged with its stack)",
};

/** The error answers a route documents: every one is {code, message, hint}. */
export function errorResponses(
  ...statuses: number[]
): Record<number, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }> {
  return Object.fromEntries(
    [401, ...statuses, 500].map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? "an error",
        content: { "application/json": { schema: ErrorSchema } },
      },
    ]),
  );
}

/** A JSON success answer of a route. */
export function jsonResponse<T>(
  schema: T,
  description: string,
): { description: string; content: { "application/json": { schema: T } } } {
  return { description, content: { "application/json": { schema } } };
}

/** A text/event-stream answer of a route. */
export function eventStreamResponse(description: string): {
  description: string;
  content: { "text/event-stream": { schema: { type: "string" } } };
} {
  return { description, content: { "text/event-stream": { schema: { type: "string" } } } };
}
