import { z } from "zod";
import { SkiffError } from "../../errors/index.js";

/** deploy.solo5 in skiff.yml. */
export const Solo5DeployOptionsSchema = z.strictObject({
  /** The release file that is the unikernel; default: the only file of the release. */
  kernel: z.string().min(1).optional(),
  /** Where the guest serves behind its tap, "HOST" or "HOST:PORT"; default 127.0.0.1:<host port> (host forwards it). */
  address: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, "an address such as 10.0.0.2 or 10.0.0.2:80")
    .optional(),
});

export type Solo5DeployOptions = z.output<typeof Solo5DeployOptionsSchema>;

export function parseSolo5Options(options: Record<string, unknown>): Solo5DeployOptions {
  const result = Solo5DeployOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = ["deploy", "solo5", ...(issue?.path ?? [])].join(".");
  throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", `${key}: ${issue?.message ?? "invalid"}`, {
    hint: "deploy.solo5 takes kernel (a release file name) and address (HOST or HOST:PORT)",
    data: { key },
  });
}

/** The instance address: deploy.solo5.address (port defaults to deploy.port), else 127.0.0.1:hostPort. */
export function resolveAddress(
  options: Solo5DeployOptions,
  ports: { guestPort: number; hostPort: number },
): { host: string; port: number } {
  if (options.address === undefined) return { host: "127.0.0.1", port: ports.hostPort };
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(options.address);
  return {
    host: match?.[1] ?? options.address,
    port: match?.[2] === undefined ? ports.guestPort : Number(match[2]),
  };
}

/** The unikernel's path: deploy.solo5.kernel, else the only file of the release. */
export function pickUnikernel(files: Record<string, string>, options: Solo5DeployOptions): string {
  const entries = Object.entries(files);
  const path =
    options.kernel !== undefined ? files[options.kernel] : entries.length === 1 ? entries[0]?.[1] : undefined;
  if (path !== undefined) return path;
  throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", "cannot tell which release file is the solo5 unikernel", {
    hint: `set deploy.solo5.kernel to one of: ${entries.map(([name]) => name).join(", ")}`,
  });
}
