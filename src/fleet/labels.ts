import { SkiffError } from "../errors/index.js";
import { LABEL_KEY_PATTERN } from "./records.js";

/** `--label k=v …` → { k: "v" }; a repeated key keeps its last value. */
export function parseLabels(specs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const spec of specs) {
    const at = spec.indexOf("=");
    const key = at < 0 ? spec : spec.slice(0, at);
    if (at < 0 || !LABEL_KEY_PATTERN.test(key)) {
      throw new SkiffError("ERR_SKIFF_USAGE", `--label ${spec} is not KEY=VALUE`, {
        hint: "e.g. --label zone=eu-1 --label arch=arm64 (keys: letters, digits, '.', '_', '-', '/')",
      });
    }
    labels[key] = spec.slice(at + 1);
  }
  return labels;
}
