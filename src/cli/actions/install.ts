import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { SkiffError } from "../../errors/index.js";
import { SERVICE_NODE_FLAGS } from "../../process/index.js";
import { planServiceArgv, renderUnit, SERVICE_KINDS, type GivenOption } from "../../systemd/index.js";
import { say } from "../output.js";

export interface InstallOptions {
  unitDir: string;
  unitName?: string;
  print?: boolean;
}

/** `skiff agent install`, `skiff server install`: writes (or prints) the unit, then says how to start it. */
export function installUnitCommand(options: InstallOptions, command: Command): void {
  const parent = command.parent!;
  const kind = SERVICE_KINDS[parent.name() as "agent" | "server"];
  const unitName = options.unitName ?? kind.unitName;
  if (!/^[A-Za-z0-9@_.:-]+$/.test(unitName)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--unit-name ${unitName} is not a systemd unit name`, {
      hint: "use letters, digits and - _ . @ : (e.g. skiff-agent-staging)",
    });
  }
  const argv = planServiceArgv({
    program: [process.execPath, ...SERVICE_NODE_FLAGS, resolve(process.argv[1]!)],
    command: [parent.name()],
    options: givenOptions(parent, kind.dataFlag),
    kinds: kind.kinds,
    refused: kind.refused,
    cwd: process.cwd(),
    isFile: (path) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false,
  });
  const dataDir = argv[argv.indexOf(kind.dataFlag) + 1]!;
  const unit = renderUnit({
    description: `${kind.description} (data ${dataDir})`,
    argv,
    dataDir,
    restartSec: 2,
    stopSec: kind.stopSec,
    writtenBy: `skiff ${parent.name()} install`,
  });
  if (parent.name() === "agent" && process.env.SKIFF_NOTIFY_SECRET && !parent.opts().notifySecretFile) {
    say(
      "warning: SKIFF_NOTIFY_SECRET is not passed to the unit; put it in a file and give --notify-secret-file",
    );
  }
  const file = join(resolve(options.unitDir), `${unitName}.service`);
  if (options.print) process.stdout.write(unit);
  else {
    // The unit's WorkingDirectory: systemd refuses to start a service whose directory is missing.
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(resolve(options.unitDir), { recursive: true });
    writeFileSync(file, unit, { mode: 0o644 });
    say(`wrote ${file}`);
  }
  say(
    `start it now and at every boot:\n  systemctl daemon-reload && systemctl enable --now ${unitName}.service`,
  );
}

/** The parent command's options as given (defaults left to the command), its data dir always. */
function givenOptions(parent: Command, dataFlag: string): GivenOption[] {
  return parent.options.flatMap((option) => {
    const flag = option.long;
    if (flag === undefined) return [];
    const key = option.attributeName();
    const value = parent.getOptionValue(key) as GivenOption["value"] | undefined;
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return [];
    if (parent.getOptionValueSource(key) === "default" && flag !== dataFlag) return [];
    return [{ flag, value }];
  });
}
