/**
 * Reads a 2015-style MirageOS deployment repository (mirage-decks-deployment) unchanged, in the
 * same three steps the agent uses for the skiff layout (readPointers → readManifest → unpackRelease):
 *
 *   const pointers = await readMiragePointers({ mirror, commit, app });
 *     // { app, current: N, sequence: N, id: "<source commit in xen/latest>" }
 *     // N = number of commits up to `commit` that changed xen/latest, so every deploy gets a new number.
 *   const manifest = await readMirageManifest({ mirror, commit, app, driver: "xen", deploy: { xen: { address } } });
 *     // a ManifestSchema-valid Manifest: release N, target xen, strategy recreate, memory from the template,
 *     // files: <vm>.xen (bzip2, size and sha256 computed now: 2015 stored none) and xl.conf.in / xm.conf.in.
 *   const files = await unpackMirageRelease({ mirror, commit, manifest, dest });
 *     // { "<vm>.xen": "/dest/<vm>.xen", "xl.conf.in": "/dest/xl.conf.in" }, each checked against the manifest.
 *
 * The xen driver then renders xl.conf.in (@VM@ @NAME@ @KERNEL@ @MEMORY@ @DISK@) itself. Refused with
 * ERR_SKIFF_PATH_ESCAPE: an xen/latest that is not a plain commit id (`../../x`, absolute, anything with /),
 * and a symlink where xen/latest, xen/<id>, the kernel or the template should be. Unsigned: 2015 had no signatures.
 */
export { readMiragePointers, type MiragePointers } from "./read-pointers.js";
export {
  readMirageManifest,
  DEFAULT_MAX_KERNEL_BYTES,
  type ReadMirageManifestOptions,
} from "./read-manifest.js";
export { unpackMirageRelease, type UnpackMirageReleaseOptions } from "./unpack.js";
export { parseLatest, parseTemplateMemory, LATEST_PATH } from "./layout.js";
