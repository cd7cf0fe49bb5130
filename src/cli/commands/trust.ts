import type { Command } from "commander";
import { lazyAction } from "../lazy-action.js";

export function registerTrustCommands(program: Command): void {
  const keys = program.command("keys").description("Signing keys (releases) and host keys (secrets).");
  keys
    .command("generate")
    .description("Write a key pair: <name>.key (private, mode 0600) and <name>.pub. Never overwrites.")
    .option("--out <dir>", "directory to write into", ".")
    .option("--name <name>", "base name of the two files (default skiff, or host with --host)")
    .option("--host", "an X25519 host key for sealed secrets instead of an ed25519 signing key")
    .option("--json", "print the result as JSON on stdout")
    .action(lazyAction(() => import("../actions/trust.js"), "generateKeysCommand"));
  keys
    .command("id")
    .description("Print the key id of public key files (to compare with the ids in a refusal).")
    .argument("<files...>", "public key files (.pub)")
    .option("--host", "the files are host keys (x25519)")
    .action(lazyAction(() => import("../actions/trust.js"), "printKeyIds"));

  const secrets = program.command("secrets").description("Secrets sealed for one host's key.");
  secrets
    .command("encrypt")
    .description(
      "Seal NAME=VALUE for a host; NAME=- reads the value from stdin (stays out of shell history).",
    )
    .requiredOption("--to <key>", "the host's public key: a host.pub file or its PEM text")
    .option("--json", "print {NAME: sealed} as JSON on stdout")
    .argument("<assignments...>", "NAME=VALUE or NAME=-")
    .action(lazyAction(() => import("../actions/trust.js"), "encryptSecretsCommand"));
}
