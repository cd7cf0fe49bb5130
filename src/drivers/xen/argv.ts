/** The toolstack command: `xl` (Xen 4.1+) or `xm` (xend, hosts before 2015). Both take the same subcommands here. */
export type XenToolstack = "xl" | "xm";

/** `xl create <config>`: boots the domain described by the rendered config file. */
export function buildCreateArgs(configPath: string): string[] {
  return ["create", configPath];
}

/** `xl list <name>`: exits 0 while the domain exists. */
export function buildListArgs(name: string): string[] {
  return ["list", name];
}

/** `xl shutdown <name>`: asks the guest to power off (PV shutdown); the domain disappears when it has. */
export function buildShutdownArgs(name: string): string[] {
  return ["shutdown", name];
}

/** `xl destroy <name>`: pulls the plug, after the grace period. */
export function buildDestroyArgs(name: string): string[] {
  return ["destroy", name];
}

/** `xl console <name>`: attaches to the guest's PV console; its output is the instance log. */
export function buildConsoleArgs(name: string): string[] {
  return ["console", name];
}

/** `xl info`: fails when this host runs no hypervisor (not a dom0, or xenstored down). */
export function buildInfoArgs(): string[] {
  return ["info"];
}
