/** The tender argv: `solo5-hvt --mem=<MiB> --net:N=TAP --block:N=FILE -- <unikernel> <args…>`. */
export function buildTenderArgs(options: {
  memoryMiB: number;
  deviceArgs: readonly string[];
  unikernel: string;
  args: readonly string[];
}): string[] {
  // "--" ends the tender's options: boot arguments that start with "-" go to the unikernel.
  return [
    `--mem=${Math.trunc(options.memoryMiB)}`,
    ...options.deviceArgs,
    "--",
    options.unikernel,
    ...options.args,
  ];
}
