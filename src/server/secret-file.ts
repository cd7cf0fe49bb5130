import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SkiffError } from "../errors/index.js";

/** The shared secret in `file` (trimmed); created with 256 random bits (mode 600) when missing. */
export function readOrCreateSecret(file: string): string {
  try {
    return readSecretFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
  return secret;
}

/** A secret from a file; an empty file is an error, not an empty secret. */
export function readSecretFile(file: string): string {
  const secret = readFileSync(file, "utf8").trim();
  if (secret.length === 0) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${file} is empty`, {
      hint: "put a long random secret in it, e.g. openssl rand -hex 32 > FILE",
    });
  }
  return secret;
}
