import type { TestContext } from "node:test";

/** The tiers CI (CI=true) must run; a machine that cannot run one fails instead of skipping. */
const CI_TIERS = ["qemu", "tmpfs", "etcd", "browser", "haproxy"];

/**
 * A slow or machine-dependent tier (qemu, tmpfs, browser, netns). When it cannot run it is skipped with
 * its reason locally, but in CI (CI=true) a required tier that cannot run fails the test.
 */
export function requireTier(t: TestContext, tier: string, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  const required = (process.env.SKIFF_REQUIRED_TIERS ?? (process.env.CI === "true" ? CI_TIERS.join(",") : ""))
    .split(",")
    .map((s) => s.trim());
  if (required.includes(tier)) throw new Error(`required test tier "${tier}" cannot run here: ${reason}`);
  t.skip(`${tier} tier cannot run here: ${reason}`);
  return false;
}
