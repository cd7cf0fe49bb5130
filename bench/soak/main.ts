// The fault soak (issue 16.8): a skiff server and a follower agent, 2–3 apps under constant HTTP
// load, pushes (some broken) and rollbacks, and seeded faults (SIGKILL of the server, the agent, a
// front door, an instance, a build; a full disk) for N minutes; then the invariants, one per line.
// Run: npm run soak -- [--minutes 10] [--seed S] [--json] (docs/reliability.md, "Fault soak").
import { parseArgs } from "node:util";
import { OPTION_SPEC, readSoakOptions, USAGE, type SoakOptions } from "./options.js";
import { formatReport } from "./report.js";
import { runSoak } from "./run-soak.js";

function readOptions(): SoakOptions {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  try {
    return readSoakOptions(parseArgs({ options: OPTION_SPEC, allowPositionals: false }).values);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const options = readOptions();
try {
  const result = await runSoak(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
  process.exitCode = result.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`soak: the harness could not run: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 3;
}
