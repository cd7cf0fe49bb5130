/** Pure: the qemu-system-x86_64 argument vector of one instance. Unit-tested; no fs, no processes. */

export type Accelerator = "kvm" | "tcg";

export interface QemuArgsOptions {
  /** Instance id, also the VM's name in `ps` and QMP. */
  name: string;
  kernel: string;
  initrd?: string;
  /** Boot arguments of the release, appended after the driver's own console settings. */
  args: readonly string[];
  memoryMiB: number;
  cpus: number;
  accel: Accelerator;
  machine?: string;
  hostPort: number;
  guestPort: number;
  consoleLog: string;
  qmpSocket: string;
  pidFile: string;
}

/** Kernel arguments the driver always sets: serial console (the instance log) and reboot on panic. */
export const DRIVER_KERNEL_ARGS = ["console=ttyS0", "panic=1"] as const;

/** QEMU splits -chardev/-netdev values on commas; a literal comma is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

export function buildQemuArgs(options: QemuArgsOptions): string[] {
  const argv = [
    "-name",
    escapeOptionValue(options.name),
    // No default devices or user config files: the VM has exactly what is listed here.
    "-nodefaults",
    "-no-user-config",
    "-accel",
    options.accel,
    ...(options.accel === "kvm" ? ["-cpu", "host"] : []),
    ...(options.machine === undefined ? [] : ["-machine", escapeOptionValue(options.machine)]),
    "-m",
    String(options.memoryMiB),
    "-smp",
    String(options.cpus),
    "-kernel",
    options.kernel,
    ...(options.initrd === undefined ? [] : ["-initrd", options.initrd]),
    "-append",
    [...DRIVER_KERNEL_ARGS, ...options.args].join(" "),
    "-display",
    "none",
    // A guest that panics reboots (panic=1); -no-reboot turns that into qemu exiting, so it shows as exited.
    "-no-reboot",
    "-chardev",
    `file,id=console,path=${escapeOptionValue(options.consoleLog)},append=on`,
    "-serial",
    "chardev:console",
    "-chardev",
    `socket,id=qmp,path=${escapeOptionValue(options.qmpSocket)},server=on,wait=off`,
    "-mon",
    "chardev=qmp,mode=control",
    "-netdev",
    `user,id=n0,hostfwd=tcp:127.0.0.1:${options.hostPort}-:${options.guestPort}`,
    "-device",
    "virtio-net-pci,netdev=n0",
    // Detach once the VM is set up (errors such as a busy host port still reach our exit code),
    // so the VM outlives the agent; the pidfile names the VM process.
    "-daemonize",
    "-pidfile",
    options.pidFile,
  ];
  return argv;
}
