import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";

/** The lines of an instance log written so far (without their newline); nothing when there is no log yet. */
export async function* readLogLines(path: string): AsyncIterable<string> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) yield line;
}
