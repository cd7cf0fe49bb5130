import { SkiffError } from "../errors/index.js";

/** `--targets virtio,unix` → ["virtio", "unix"]: target names as build.matrix writes them. */
export function parseTargetList(value: string, option = "--targets"): string[] {
  const names = value.split(",").map((name) => name.trim());
  const bad = names.filter((name) => !/^[a-z][a-z0-9-]{0,31}$/.test(name));
  if (names.length === 0 || bad.length > 0 || new Set(names).size !== names.length) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `${option} ${JSON.stringify(value)} is not a list of target names`,
      {
        hint: `name targets of build.matrix once each, comma-separated: ${option} virtio,unix`,
      },
    );
  }
  return names;
}
