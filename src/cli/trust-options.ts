import { SkiffError } from "../errors/index.js";
import { createReleaseSigner, type ReleaseSigner } from "../store/index.js";
import { loadPrivateKey, loadPublicKey, type PrivateKey, type TrustPolicy } from "../trust/index.js";

/** `--key F` (repeatable) → the store's signer; undefined when no key was given. */
export function loadSigner(keys: readonly string[] | undefined): ReleaseSigner | undefined {
  if (keys === undefined || keys.length === 0) return undefined;
  return createReleaseSigner(keys.map((key) => loadPrivateKey(key, "ed25519")));
}

/** `--trust K` (repeatable) and `--threshold N` → the agent's trust policy; undefined without --trust. */
export function loadTrustPolicy(
  trust: readonly string[],
  threshold: string | undefined,
): TrustPolicy | undefined {
  if (trust.length === 0) {
    if (threshold !== undefined) {
      throw new SkiffError("ERR_SKIFF_USAGE", "--threshold needs at least one --trust key", {
        hint: "skiff agent --trust skiff.pub [--trust other.pub --threshold 2]",
      });
    }
    return undefined;
  }
  const count = threshold === undefined ? 1 : Number(threshold);
  if (!Number.isInteger(count)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--threshold ${threshold} is not a whole number`, {
      hint: "--threshold K: how many distinct --trust keys must sign (default 1)",
    });
  }
  return { trusted: trust.map((key) => loadPublicKey(key, "ed25519")), threshold: count };
}

/** `--host-key F` → the x25519 key that opens sealed values. */
export function loadHostKey(file: string | undefined): PrivateKey | undefined {
  return file === undefined ? undefined : loadPrivateKey(file, "x25519");
}
