import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ERROR_CODES, SkiffError, formatError } from "../../src/errors/index.js";
import { REPO_ROOT } from "../support/paths.js";

describe("error catalogue", () => {
  it("documents every code in docs/errors.md", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
    const missing = ERROR_CODES.filter((code) => !doc.includes("`" + code + "`"));
    assert.deepEqual(missing, []);
  });

  it("prints known errors with code and hint and no stack, unknown ones with a stack", () => {
    const known = formatError(
      new SkiffError("ERR_SKIFF_NO_BUILD", "no build", { hint: "run skiff build first" }),
    );
    assert.equal(known, "error ERR_SKIFF_NO_BUILD: no build\nhint: run skiff build first");
    const unknown = formatError(new TypeError("boom"));
    assert.match(unknown, /ERR_SKIFF_INTERNAL: this is a bug/);
    assert.match(unknown, /at /);
  });

  it("serialises to {code, message, hint, data}", () => {
    const error = new SkiffError("ERR_SKIFF_EXPIRED", "expired", { hint: "resign", data: { release: 3 } });
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      code: "ERR_SKIFF_EXPIRED",
      message: "expired",
      hint: "resign",
      data: { release: 3 },
    });
  });
});
