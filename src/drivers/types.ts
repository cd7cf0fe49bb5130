/**
 * The one interface every hypervisor or runtime adapter implements (DESIGN.md, Drivers).
 * A driver decides nothing about what to deploy; the agent tells it what to start and stop.
 */

export type DriverName = "unix" | "qemu" | "xen" | "solo5-hvt" | "solo5-spt";

export interface Availability {
  available: boolean;
  /** Why not, in words a host operator can act on ("qemu-system-x86_64 not found: apt-get install qemu-system-x86"). */
  reason?: string;
  /** Driver-specific facts worth showing in `skiff status` (accelerator chosen, tool versions). */
  details?: Record<string, string>;
}

export interface InstanceSpec {
  /** Unique id of this instance, e.g. "hello-3-k2j4"; also used for VM and domain names. */
  id: string;
  app: string;
  release: number;
  /** Unpacked artifact files of the release: file name → absolute path. */
  files: Record<string, string>;
  /** Boot arguments with placeholders already substituted. */
  args: string[];
  /** Environment values handed to the unikernel (unix: process env; VMs: driver-specific). */
  env: Record<string, string>;
  /** Memory in MiB. */
  memoryMiB: number;
  /** The port the unikernel serves on inside (deploy.port). */
  guestPort: number;
  /** The host port the agent chose for this instance; the instance must be reachable at 127.0.0.1:hostPort. */
  hostPort: number;
  /** Directory owned by this instance: logs, sockets, rendered configs. Exists before start(). */
  dir: string;
  /** Driver-specific settings from skiff.yml's deploy section (e.g. deploy.qemu, deploy.xen). */
  options: Record<string, unknown>;
  /**
   * Called with the instance the moment its process exists, synchronously, before the driver waits
   * for anything (the agent writes its record here: an agent killed while start() runs leaves a
   * record, not a process nothing knows of). Must not throw. Drivers that learn the handle only
   * later (a daemonized VM) call it when they do.
   */
  onStarted?: (instance: Instance) => void;
}

/** What the agent persists to find an instance again after a restart. JSON-serialisable. */
export interface Instance {
  id: string;
  driver: DriverName;
  app: string;
  release: number;
  /** Where the instance serves, as seen from the host. */
  address: { host: string; port: number };
  /** Driver handle: pid and its start time, domain name, QMP socket … */
  handle: Record<string, string | number>;
  /** Path of the instance log (stdout or serial console). */
  logPath: string;
  startedAt: string;
}

export type InstanceStatus = "running" | "exited" | "unknown";

export interface StopOptions {
  /** Grace period before the instance is killed. */
  graceMs?: number;
  signal?: AbortSignal;
}

export interface Driver {
  name: DriverName;
  available(): Promise<Availability>;
  /**
   * Checks, before anything running is touched, that this host can run the release
   * (solo5: the unikernel's device manifest against the host's devices). Throws a SkiffError when not.
   */
  preflight?(spec: InstanceSpec): Promise<void>;
  /** Boots the instance and returns its handle. Does not wait for health: the agent checks that. */
  start(spec: InstanceSpec): Promise<Instance>;
  /** Graceful stop, grace period, then kill. Resolves when the instance is gone. Never throws for an instance already gone. */
  stop(instance: Instance, options?: StopOptions): Promise<void>;
  inspect(instance: Instance): Promise<InstanceStatus>;
  /** The instance log from its start; ends at the end of what is written so far. */
  logs(instance: Instance): AsyncIterable<string>;
}
