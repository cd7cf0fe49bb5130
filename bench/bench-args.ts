import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * A benchmark's options: `--help` prints its usage; an unknown or malformed option prints the
 * problem and the usage and exits 2, instead of a stack trace.
 */
export function parseBenchArgs<T extends Options>(
  usage: string,
  options: T,
  config: { allowPositionals?: boolean } = {},
): ReturnType<typeof parseArgs<{ options: T; allowPositionals: boolean }>> {
  const help = process.argv.includes("--help") || process.argv.includes("-h");
  if (help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ options, allowPositionals: config.allowPositionals ?? false });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}
