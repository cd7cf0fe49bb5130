import { z } from "zod";
import { SkiffError } from "../../errors/index.js";
import { runProcess } from "../../process/index.js";

/** The JSON that `solo5-elftool query-manifest` prints: the devices a unikernel was built to use. */
export const Solo5ManifestSchema = z.object({
  type: z.literal("solo5.manifest"),
  version: z.number().int(),
  devices: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) })),
});

export type Solo5Device = z.output<typeof Solo5ManifestSchema>["devices"][number];

/** Parses elftool output; anything else is a release this host cannot check, so it is refused. */
export function parseDeviceManifest(text: string, unikernel: string): Solo5Device[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const result = Solo5ManifestSchema.safeParse(json);
  if (!result.success) {
    throw new SkiffError("ERR_SKIFF_ARTIFACT_CORRUPT", `${unikernel} has no readable solo5 device manifest`, {
      hint: "build the unikernel for a solo5 target (hvt or spt) with a solo5 toolchain",
    });
  }
  return result.data.devices;
}

/** Runs `solo5-elftool query-manifest <unikernel>`. */
export async function queryDeviceManifest(options: {
  elftool: string;
  unikernel: string;
  env: NodeJS.ProcessEnv;
}): Promise<Solo5Device[]> {
  const result = await runProcess(options.elftool, ["query-manifest", options.unikernel], {
    env: options.env,
    timeoutMs: 30_000,
    allowFailure: true,
  });
  if (result.exitCode !== 0) {
    throw new SkiffError(
      "ERR_SKIFF_ARTIFACT_CORRUPT",
      `solo5-elftool cannot read ${options.unikernel}'s device manifest`,
      {
        hint: result.stderr.trim().split("\n").slice(-2).join("\n") || "is it a solo5 unikernel?",
        data: { exitCode: result.exitCode },
      },
    );
  }
  return parseDeviceManifest(result.stdout, options.unikernel);
}
