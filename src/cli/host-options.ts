import {
  createHostDrivers,
  createMirage2015Layout,
  parseDriverList,
  parseMirage2015Flags,
  parseSolo5Devices,
  type AgentOptions,
} from "../agent/index.js";
import { SkiffError } from "../errors/index.js";
import { parseTargetList } from "./target-list.js";

/** The host part of `skiff agent`: --drivers, --solo5-net/--solo5-block, --layout and its mirage-2015 flags. */
export interface HostCommandOptions {
  repo: string;
  follow: string;
  drivers?: string;
  targets?: string;
  solo5Net: string[];
  solo5Block: string[];
  layout: string;
  driver?: string;
  app?: string;
  vm?: string;
  branch?: string;
  address?: string;
  port?: string;
}

const MIRAGE_ONLY = ["driver", "app", "vm", "branch", "address", "port"] as const;

export function hostOptions(options: HostCommandOptions): Pick<AgentOptions, "drivers" | "layout"> {
  const drivers = createHostDrivers({
    ...(options.drivers === undefined ? {} : { allow: parseDriverList(options.drivers) }),
    ...(options.targets === undefined ? {} : { targets: parseTargetList(options.targets) }),
    solo5Devices: parseSolo5Devices({ net: options.solo5Net, block: options.solo5Block }),
  });
  if (options.layout === "skiff") {
    const stray = MIRAGE_ONLY.find((key) => options[key] !== undefined);
    if (stray !== undefined) {
      throw new SkiffError("ERR_SKIFF_USAGE", `--${stray} is only for --layout mirage-2015`, {
        hint: "a skiff deployment repository names app, driver and port in each release's manifest",
      });
    }
    return { drivers };
  }
  if (options.layout !== "mirage-2015") {
    throw new SkiffError("ERR_SKIFF_USAGE", `--layout ${options.layout} is neither skiff nor mirage-2015`, {
      hint: "use --layout mirage-2015 to follow a 2015 MirageOS deployment repository (xen/latest)",
    });
  }
  if (options.follow !== "current") {
    throw new SkiffError("ERR_SKIFF_USAGE", "a 2015 deployment repository has no staging pointer", {
      hint: "drop --follow with --layout mirage-2015 (it follows xen/latest)",
    });
  }
  const layout = createMirage2015Layout(
    parseMirage2015Flags({
      repo: options.repo,
      ...(options.app === undefined ? {} : { app: options.app }),
      ...(options.driver === undefined ? {} : { driver: options.driver }),
      ...(options.vm === undefined ? {} : { vm: options.vm }),
      ...(options.branch === undefined ? {} : { branch: options.branch }),
      ...(options.address === undefined ? {} : { address: options.address }),
      ...(options.port === undefined ? {} : { port: options.port }),
    }),
  );
  return { drivers, layout };
}
