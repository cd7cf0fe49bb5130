import {
  createSolo5Driver,
  getDriver,
  listDrivers,
  type Availability,
  type Driver,
  type Solo5HostDevices,
} from "../drivers/index.js";
import { SkiffError } from "../errors/index.js";

export interface HostDriversOptions {
  /** `skiff agent --drivers unix,qemu`: the drivers this host may run; default every driver skiff knows. */
  allow?: readonly string[];
  /** `--solo5-net NAME=TAP` / `--solo5-block NAME=FILE`: what this host gives solo5 unikernels. */
  solo5Devices?: Solo5HostDevices;
  /** Drivers that replace the built-in ones by name (embedding, tests). */
  drivers?: Record<string, Driver>;
  /** `skiff agent --targets virtio,unix`: run only these targets of a release, in this order. */
  targets?: readonly string[];
}

/** The drivers of one agent run: the operator's choice, the host's devices, availability asked once. */
export interface HostDrivers {
  /** The driver that starts instances of releases for `name` on this host (solo5 with the host's devices). */
  driverFor(name: string): Driver;
  /** Whether this host runs releases for `name`, with the reason when not; cached for the agent run. */
  checkSupport(name: string): Promise<Availability>;
  /** The drivers this host may run, in the operator's order. */
  allowed: readonly string[];
  /** `--targets`: the targets this host runs, in its order of preference; undefined: the release's order. */
  targets?: readonly string[];
}

/** Checks `--drivers` names against the drivers skiff knows; an unknown name is a usage error. */
export function parseDriverList(value: string): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const known = listDrivers();
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      names.length === 0 ? "--drivers names no driver" : `--drivers: unknown driver ${unknown.join(", ")}`,
      { hint: `name one or more of: ${known.join(", ")} (comma-separated)` },
    );
  }
  return names;
}

export function createHostDrivers(options: HostDriversOptions = {}): HostDrivers {
  const allowed = options.allow ?? listDrivers();
  const devices = options.solo5Devices ?? {};
  const built = new Map<string, Driver>();
  const support = new Map<string, Promise<Availability>>();

  const driverFor = (name: string): Driver => {
    const existing = built.get(name);
    if (existing) return existing;
    const driver =
      options.drivers?.[name] ??
      (name === "solo5-hvt" || name === "solo5-spt"
        ? createSolo5Driver({ tender: name === "solo5-hvt" ? "hvt" : "spt", devices })
        : getDriver(name));
    built.set(name, driver);
    return driver;
  };

  const askDriver = async (name: string): Promise<Availability> => {
    if (!allowed.includes(name)) {
      return {
        available: false,
        reason: `driver ${name} is not enabled on this host (skiff agent --drivers ${allowed.join(",")})`,
      };
    }
    try {
      return await driverFor(name).available();
    } catch (error) {
      return { available: false, reason: error instanceof Error ? error.message : String(error) };
    }
  };

  return {
    driverFor,
    allowed,
    ...(options.targets ? { targets: options.targets } : {}),
    checkSupport(name: string): Promise<Availability> {
      // Once per agent run: installing a hypervisor is followed by restarting the agent.
      let answer = support.get(name);
      if (answer === undefined) {
        answer = askDriver(name);
        support.set(name, answer);
      }
      return answer;
    },
  };
}

/** Throws ERR_SKIFF_DRIVER_UNAVAILABLE, with the driver's reason, when this host cannot run `name`. */
export async function requireSupport(drivers: HostDrivers, name: string): Promise<Driver> {
  const availability = await drivers.checkSupport(name);
  if (!availability.available) {
    const reason = availability.reason ?? "unavailable";
    throw new SkiffError("ERR_SKIFF_DRIVER_UNAVAILABLE", `this host cannot run ${name} releases: ${reason}`, {
      hint: `deploy this release to a host that runs ${name}, or fix the host and restart the agent (the answer is kept for the agent run)`,
      data: { driver: name, reason },
    });
  }
  return drivers.driverFor(name);
}
