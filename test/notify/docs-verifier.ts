import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../support/paths.js";
import { tempDir } from "../support/temp.js";

export type VerifySignature = (
  secret: string,
  header: string,
  rawBody: string,
  toleranceSeconds?: number,
) => boolean;

/**
 * The signature check exactly as docs/notifications.md shows it (its one ```js block), loaded as a
 * module: the receivers in these tests verify with the documented code, not with skiff's.
 */
export async function loadDocsVerifier(): Promise<VerifySignature> {
  const doc = readFileSync(join(REPO_ROOT, "docs", "notifications.md"), "utf8");
  const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length !== 1) throw new Error(`docs/notifications.md has ${blocks.length} js blocks, not 1`);
  const file = join(tempDir("skiff-docs-"), "verify.mjs");
  writeFileSync(file, blocks[0]!);
  const module = (await import(pathToFileURL(file).href)) as { verifySkiffSignature: VerifySignature };
  return module.verifySkiffSignature;
}
