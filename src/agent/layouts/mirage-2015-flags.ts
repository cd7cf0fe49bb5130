import { basename } from "node:path";
import { APP_NAME_PATTERN } from "../../config/index.js";
import type { DriverName } from "../../drivers/index.js";
import { SkiffError } from "../../errors/index.js";
import type { Mirage2015LayoutOptions } from "./mirage-2015.js";

export interface Mirage2015Flags {
  /** The repository as given to --repo: its name is the default app name. */
  repo: string;
  app?: string;
  driver?: string;
  vm?: string;
  /** --branch: the branch the 2015 CI pushed to (default master). */
  branch?: string;
  /** --address HOST[:PORT]: where a xen guest serves on the bridge (deploy.xen.address). */
  address?: string;
  /** --port N: deploy.port (a unix process listens on it; the guest port of a VM). */
  port?: string;
}

const DRIVERS: readonly DriverName[] = ["xen", "unix", "qemu"];

/** The options of `skiff agent --layout mirage-2015`, checked; the 2015 layout itself says none of them. */
export function parseMirage2015Flags(flags: Mirage2015Flags): Mirage2015LayoutOptions {
  const driver = (flags.driver ?? "xen") as DriverName;
  if (!DRIVERS.includes(driver)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--driver ${flags.driver} cannot boot a 2015 xen kernel`, {
      hint: `use --driver ${DRIVERS.join(", --driver ")}`,
    });
  }
  const app = flags.app ?? defaultAppName(flags.repo);
  if (!APP_NAME_PATTERN.test(app)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--app ${app} is not an app name`, {
      hint: "an app name is a-z, 0-9 and -, starting with a letter (e.g. --app decks)",
    });
  }
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--port ${flags.port} is not a port number`, {
      hint: "pass --port 80",
    });
  }
  if (driver === "xen" && flags.address === undefined) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--layout mirage-2015 with the xen driver needs --address", {
      hint: "give the guest's address on the Xen bridge, where the health check reaches it: --address 10.0.0.2:80",
    });
  }
  return {
    app,
    driver,
    ...(flags.vm === undefined ? {} : { vm: flags.vm }),
    ...(flags.branch === undefined ? {} : { branch: flags.branch }),
    deploy: {
      ...(port === undefined ? {} : { port }),
      ...(flags.address === undefined ? {} : { xen: { address: flags.address } }),
    },
  };
}

/** "…/mirage-decks-deployment.git" → "mirage-decks-deployment"; "mirage" when the name is no app name. */
function defaultAppName(repo: string): string {
  const name = basename(repo.replace(/\/+$/, ""))
    .replace(/\.git$/, "")
    .toLowerCase();
  return APP_NAME_PATTERN.test(name) ? name : "mirage";
}
