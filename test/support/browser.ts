import type { TestContext } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { findExecutable } from "../../src/process/index.js";
import { requireTier } from "./tiers.js";

/** Debian's chromium (or SKIFF_CHROMIUM): never a browser downloaded by `playwright install`. */
export function findChromium(): string | undefined {
  const named = process.env.SKIFF_CHROMIUM;
  if (named) return findExecutable(named);
  return findExecutable("chromium") ?? findExecutable("chromium-browser");
}

/**
 * Chromium for the "browser" tier, or undefined with the test skipped and the reason said (a
 * failure in CI, where the tier is required). The caller closes it.
 */
export async function launchBrowser(t: TestContext): Promise<Browser | undefined> {
  const executablePath = findChromium();
  if (executablePath === undefined) {
    requireTier(t, "browser", "chromium is not installed (apt-get install chromium, or set SKIFF_CHROMIUM)");
    return undefined;
  }
  try {
    return await chromium.launch({
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  } catch (error) {
    requireTier(t, "browser", `chromium at ${executablePath} did not start: ${(error as Error).message}`);
    return undefined;
  }
}

/** Every console error and uncaught exception of a page, to assert there were none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}
