import { resolve } from "node:path";
import { SkiffError } from "../../errors/index.js";
import {
  loadPublicKey,
  parseSecretAssignments,
  sealSecret,
  shortKeyId,
  valueFromStdin,
  writeKeyPair,
} from "../../trust/index.js";
import { printJson, say } from "../output.js";

// A secret read from stdin is a token or a certificate, not a file to stream.
const MAX_STDIN_BYTES = 64 * 1024;

/** `skiff keys generate`. */
export function generateKeysCommand(options: {
  out: string;
  name?: string;
  host?: boolean;
  json?: boolean;
}): void {
  const type = options.host ? "x25519" : "ed25519";
  const name = options.name ?? (options.host ? "host" : "skiff");
  const result = writeKeyPair({ dir: resolve(options.out), name, type });
  if (options.json) printJson(result);
  say(
    `wrote ${options.host ? "host" : "signing"} key ${result.privateFile} (private, 0600) and ${result.publicFile}`,
  );
  say(`key id ${shortKeyId(result.keyid)}`);
  say(
    options.host
      ? `next: skiff secrets encrypt --to ${result.publicFile} NAME=-   (give ${name}.key only to the agent of this host)`
      : `next: skiff store --key ${result.privateFile}, and skiff agent --trust ${result.publicFile}`,
  );
}

/** `skiff keys id FILE…`. */
export function printKeyIds(files: string[], options: { host?: boolean }): void {
  for (const file of files) {
    const key = loadPublicKey(file, options.host ? "x25519" : "ed25519");
    process.stdout.write(`${shortKeyId(key.keyid)}  ${key.keyid}  ${file}\n`);
  }
}

/** `skiff secrets encrypt NAME=VALUE|NAME=-…`. */
export async function encryptSecretsCommand(
  assignments: string[],
  options: { to: string; json?: boolean },
): Promise<void> {
  const parsed = parseSecretAssignments(assignments);
  const hostPublicKey = loadPublicKey(options.to, "x25519");
  const sealed: Record<string, string> = {};
  for (const { name, value } of parsed) {
    const plain = value ?? valueFromStdin(await readStdin());
    sealed[name] = sealSecret(plain, { name, hostPublicKey });
  }
  if (options.json) printJson(sealed);
  else for (const [name, value] of Object.entries(sealed)) process.stdout.write(`${name}=${value}\n`);
  say(`sealed ${parsed.length} secret(s) for host key ${shortKeyId(hostPublicKey.keyid)}`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) {
      throw new SkiffError("ERR_SKIFF_USAGE", `the value on stdin is larger than ${MAX_STDIN_BYTES} bytes`, {
        hint: "a sealed secret is a token or a key, not a file",
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
