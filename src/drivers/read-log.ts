import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";

export interface ReadLogOptions {
  /** A serial console: drop the carriage returns and terminal escapes a guest writes. */
  console?: boolean;
}

// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The lines of an instance log written so far (without their newline); nothing when there is no log yet. */
export async function* readLogLines(path: string, options: ReadLogOptions = {}): AsyncIterable<string> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    yield options.console ? line.replace(/\r$/, "").replace(TERMINAL_ESCAPE, "") : line;
  }
}
