import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isSkiffError, type SkiffError } from "../../src/errors/index.js";

export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function sha256Of(path: string): string {
  return sha256(readFileSync(path));
}

/** A skiff.yml with a two-entry matrix; `command` and `test` are the user's shell commands. */
export function matrixYml(options: { command: string; test?: string; timeout?: string }): string {
  return `app: twin
build:
  command: ${JSON.stringify(options.command)}
${options.test === undefined ? "" : `  test: ${JSON.stringify(options.test)}\n`}  timeout: ${options.timeout ?? "1m"}
  matrix:
    - target: unix
      env: { MODE: native }
      artifact: _build/out
      deploy: true
    - target: virtio
      env: { MODE: virt }
      artifact: [_build/out]
`;
}

/** Awaits a promise that must reject with a SkiffError; returns it. */
export async function rejectsWithSkiffError(promise: Promise<unknown>): Promise<SkiffError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSkiffError(error), `expected a SkiffError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a SkiffError");
}
