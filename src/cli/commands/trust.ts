import type { Command } from "commander";
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

export function registerTrustCommands(program: Command): void {
  const keys = program.command("keys").description("Signing keys (releases) and host keys (secrets).");
  keys
    .command("generate")
    .description("Write a key pair: <name>.key (private, mode 0600) and <name>.pub. Never overwrites.")
    .option("--out <dir>", "directory to write into", ".")
    .option("--name <name>", "base name of the two files (default skiff, or host with --host)")
    .option("--host", "an X25519 host key for sealed secrets instead of an ed25519 signing key")
    .option("--json", "print the result as JSON on stdout")
    .action((options: { out: string; name?: string; host?: boolean; json?: boolean }) => {
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
    });
  keys
    .command("id")
    .description("Print the key id of public key files (to compare with the ids in a refusal).")
    .argument("<files...>", "public key files (.pub)")
    .option("--host", "the files are host keys (x25519)")
    .action((files: string[], options: { host?: boolean }) => {
      for (const file of files) {
        const key = loadPublicKey(file, options.host ? "x25519" : "ed25519");
        process.stdout.write(`${shortKeyId(key.keyid)}  ${key.keyid}  ${file}\n`);
      }
    });

  const secrets = program.command("secrets").description("Secrets sealed for one host's key.");
  secrets
    .command("encrypt")
    .description(
      "Seal NAME=VALUE for a host; NAME=- reads the value from stdin (stays out of shell history).",
    )
    .requiredOption("--to <key>", "the host's public key: a host.pub file or its PEM text")
    .option("--json", "print {NAME: sealed} as JSON on stdout")
    .argument("<assignments...>", "NAME=VALUE or NAME=-")
    .action(async (assignments: string[], options: { to: string; json?: boolean }) => {
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
    });
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
