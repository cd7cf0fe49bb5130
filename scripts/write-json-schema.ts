/** Writes schema/skiff.schema.json from the zod schema; with --check, fails when the file is not current. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { skiffJsonSchema } from "../src/config/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const file = join(root, "schema", "skiff.schema.json");
const text = JSON.stringify(skiffJsonSchema(), null, 2) + "\n";
function readCurrent(): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
const current = readCurrent();
if (current !== text) {
  if (process.argv.includes("--check") && process.env.CI === "true") {
    console.error(`schema/skiff.schema.json is not current: run "npm run build" and commit the file`);
    process.exit(1);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.error("wrote schema/skiff.schema.json");
}
