import { basename } from "node:path";
import { createHash } from "node:crypto";
import type { DeployConfig } from "../../config/index.js";
import { DeploySchema } from "../../config/index.js";
import type { DriverName } from "../../drivers/index.js";
import { SkiffError } from "../../errors/index.js";
import { commitTime, listTree, readFileAt, type TreeEntry } from "../../git/index.js";
import { ManifestSchema, ReleaseFileName, type Manifest, type ManifestFile } from "../manifest-schema.js";
import { bunzip2Blob } from "./bunzip2.js";
import {
  KERNEL_SUFFIX,
  TEMPLATE_PATHS,
  parseTemplateMemory,
  pickKernelEntry,
  requirePlainFile,
} from "./layout.js";
import { readMiragePointers } from "./read-pointers.js";

export interface ReadMirageManifestOptions {
  mirror: string;
  commit: string;
  /** The skiff app name this repository is deployed as. */
  app: string;
  /** Default xen; another driver (e.g. unix in tests) boots the same kernel file. */
  driver?: DriverName;
  /** Which <vm>.xen.bz2 to run when xen/<id>/ holds several (the $VM of the old deploy.sh). */
  vm?: string;
  /** Deploy settings laid over the synthesised ones (port, health, xen.address …). */
  deploy?: Partial<DeployConfig>;
  /** Largest unpacked kernel accepted; default 512 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_KERNEL_BYTES = 512 * 1024 * 1024;
const TEMPLATE_MAX_BYTES = 64 * 1024;

/**
 * A Manifest for what xen/latest names at `commit`. 2015 stored no checksums, so the kernel is
 * decompressed here to compute its size and sha256; unpackMirageRelease checks the same bytes again.
 */
export async function readMirageManifest(options: ReadMirageManifestOptions): Promise<Manifest> {
  const { mirror, commit, app } = options;
  const pointers = await readMiragePointers({ mirror, commit, app });
  const kernelEntry = pickKernelEntry(await listTree(mirror, commit, `xen/${pointers.id}`), {
    id: pointers.id,
    app,
    ...(options.vm === undefined ? {} : { vm: options.vm }),
  });
  const stored = basename(kernelEntry.path);
  const name = checkFileName(stored.slice(0, -KERNEL_SUFFIX.length) + ".xen");
  const driver = options.driver ?? "xen";
  const unpacked = await bunzip2Blob({
    mirror,
    object: kernelEntry.object,
    name,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_KERNEL_BYTES,
  });
  const files: ManifestFile[] = [
    {
      name,
      size: unpacked.size,
      sha256: unpacked.sha256,
      compression: "bzip2",
      stored,
      storedSize: kernelEntry.size ?? 0,
      mode: driver === "unix" ? 0o755 : 0o644,
    },
  ];
  const template = await readTemplate(mirror, commit);
  if (template) files.push(template.file);
  const memory = template === undefined ? undefined : parseTemplateMemory(template.text);
  const deploy = DeploySchema.parse({
    driver,
    strategy: "recreate",
    ...(memory === undefined ? {} : { memory: `${memory}M` }),
    ...options.deploy,
    xen: {
      toolstack: template?.toolstack ?? "xl",
      kernel: name,
      ...(template === undefined ? {} : { template: template.file.name }),
      ...options.deploy?.xen,
    },
  });
  return ManifestSchema.parse({
    version: 1,
    app,
    release: pointers.current,
    sequence: pointers.sequence,
    target: "xen",
    driver,
    deploy,
    source: { commit: pointers.id },
    build: { id: `mirage-2015-${pointers.id.slice(0, 12)}` },
    created: await commitTime(mirror, commit),
    files,
  });
}

async function readTemplate(
  mirror: string,
  commit: string,
): Promise<{ file: ManifestFile; text: string; toolstack: "xl" | "xm" } | undefined> {
  for (const { path, toolstack } of TEMPLATE_PATHS) {
    const entry: TreeEntry | undefined = (await listTree(mirror, commit, path)).find((e) => e.path === path);
    if (!entry) continue;
    requirePlainFile(entry);
    if ((entry.size ?? Infinity) > TEMPLATE_MAX_BYTES) {
      throw new SkiffError(
        "ERR_SKIFF_MANIFEST_TOO_LARGE",
        `${path} is ${entry.size} bytes; an xl template is a few lines`,
        {
          hint: "keep only the xl settings in the template",
          data: { path },
        },
      );
    }
    const text = (await readFileAt(mirror, commit, path)) ?? "";
    const size = Buffer.byteLength(text);
    const sha256 = createHash("sha256").update(text).digest("hex");
    return {
      text,
      toolstack,
      file: { name: path, size, sha256, compression: "none", stored: path, storedSize: size, mode: 0o644 },
    };
  }
  return undefined;
}

function checkFileName(name: string): string {
  if (!ReleaseFileName.safeParse(name).success) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_INVALID",
      `the kernel name ${JSON.stringify(name)} is not a plain file name`,
      {
        hint: "name the kernel <vm>.xen.bz2 with letters, digits, . _ + -",
      },
    );
  }
  return name;
}
