import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";
import { keyIdOf, type KeyType } from "./keys.js";
import { newKeyPair } from "./new-key-pair.js";
import { assertPlainName } from "./plain-name.js";

export interface WriteKeyPairOptions {
  /** Directory to write into (it must exist). */
  dir: string;
  /** Base name: writes <name>.key and <name>.pub. */
  name: string;
  type: KeyType;
}

export interface WriteKeyPairResult {
  type: KeyType;
  keyid: string;
  privateFile: string;
  publicFile: string;
}

/**
 * Generates a key pair and writes <name>.key (PKCS8 PEM, mode 0600) and <name>.pub (SPKI PEM).
 * Both files are created exclusively: an existing key is never overwritten.
 */
export function writeKeyPair(options: WriteKeyPairOptions): WriteKeyPairResult {
  assertPlainName(options.name);
  const privateFile = join(options.dir, `${options.name}.key`);
  const publicFile = join(options.dir, `${options.name}.pub`);
  const { privatePem, publicPem, publicKey } = newKeyPair(options.type);
  // Open both before writing either, so a clash leaves nothing half-written behind.
  const privateFd = openExclusive(privateFile, 0o600);
  let publicFd: number;
  try {
    publicFd = openExclusive(publicFile, 0o644);
  } catch (error) {
    closeSync(privateFd);
    unlinkSync(privateFile);
    throw error;
  }
  try {
    writeSync(privateFd, privatePem);
    writeSync(publicFd, publicPem);
  } finally {
    closeSync(privateFd);
    closeSync(publicFd);
  }
  return { type: options.type, keyid: keyIdOf(publicKey), privateFile, publicFile };
}

function openExclusive(file: string, mode: number): number {
  try {
    return openSync(file, "wx", mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      throw new SkiffError("ERR_SKIFF_KEY_EXISTS", `${file} already exists; skiff never overwrites a key`, {
        hint: "choose another --name or --out, or move the old key away yourself if you really mean to replace it",
        data: { file },
      });
    }
    throw new SkiffError("ERR_SKIFF_KEY_INVALID", `cannot create ${file} (${code ?? "error"})`, {
      hint: "check that the --out directory exists and is writable",
      data: { file },
    });
  }
}
