import { SkiffError } from "../errors/index.js";

export interface UnitInput {
  /** What the unit runs, e.g. "skiff agent". */
  description: string;
  /** The command line: absolute program path first. */
  argv: readonly string[];
  /** The data dir: the service's working directory. */
  dataDir: string;
  /** Seconds systemd waits before starting it again. */
  restartSec: number;
  /** Seconds systemd waits for it to stop (a server lets pushes land for 20 s). */
  stopSec: number;
  /** The command that wrote the unit, in its header. */
  writtenBy: string;
}

/** A systemd unit that keeps the command running (pure). Nothing secret is in it: argv carries none. */
export function renderUnit(input: UnitInput): string {
  return [
    `# Written by ${input.writtenBy}. Run it again to change it; --print shows it without writing.`,
    "[Unit]",
    `Description=${unitValue(input.description)}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${input.argv.map(quoteExecArg).join(" ")}`,
    `WorkingDirectory=${quoteExecArg(input.dataDir)}`,
    "Restart=always",
    `RestartSec=${input.restartSec}`,
    `TimeoutStopSec=${input.stopSec}`,
    // Instances and proxies outlive skiff by design (a restart adopts them): stop only skiff itself.
    "KillMode=process",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

const PLAIN = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * One argument of ExecStart as systemd reads it back: `%` and `$` doubled (specifiers, variables),
 * double-quoted with `\` and `"` escaped when it is not plain. A control character is refused.
 */
export function quoteExecArg(arg: string): string {
  refuseControl(arg);
  const escaped = arg.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (arg.length > 0 && PLAIN.test(arg)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function unitValue(text: string): string {
  refuseControl(text);
  return text.replaceAll("%", "%%");
}

function refuseControl(text: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new SkiffError(
      "ERR_SKIFF_UNSAFE_VALUE",
      `a value of the unit has a control character: ${JSON.stringify(text.slice(0, 80))}`,
      {
        hint: "a newline or other control character cannot be put in a systemd unit; put such a value (e.g. a key's PEM text) in a file and name the file",
      },
    );
  }
}
