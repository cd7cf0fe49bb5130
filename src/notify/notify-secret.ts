import { readFileSync } from "node:fs";
import { SkiffError } from "../errors/index.js";

/** The environment variable that may hold the webhook signing secret instead of a file. */
export const NOTIFY_SECRET_ENV = "SKIFF_NOTIFY_SECRET";

/**
 * The secret webhook notifications are signed with: `--notify-secret-file F` (trimmed), else
 * $SKIFF_NOTIFY_SECRET, else none (unsigned). Never taken from argv or a URL; never logged.
 */
export function loadNotifySecret(input: { file?: string; env: NodeJS.ProcessEnv }): string | undefined {
  if (input.file === undefined) {
    const value = input.env[NOTIFY_SECRET_ENV]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }
  let text: string;
  try {
    text = readFileSync(input.file, "utf8").trim();
  } catch (error) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `--notify-secret-file ${input.file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      { hint: "put a long random secret in it, e.g. openssl rand -hex 32 > FILE (mode 600)", cause: error },
    );
  }
  if (text === "") {
    throw new SkiffError("ERR_SKIFF_USAGE", `--notify-secret-file ${input.file} is empty`, {
      hint: "put a long random secret in it, e.g. openssl rand -hex 32 > FILE (mode 600)",
    });
  }
  return text;
}
