import { rm } from "node:fs/promises";
import { join } from "node:path";
import { checkoutCommit } from "../git/index.js";
import type { BuildSource } from "./resolve-source.js";

/**
 * Fresh checkouts of the commit being built, one per matrix entry. The next one can be made while
 * the entry before it builds, so only the first checkout of a build waits on git.
 */
export class CheckoutSupply {
  private made = 0;
  private ready: Promise<string> | undefined;

  constructor(
    private readonly source: BuildSource,
    private readonly dir: string,
  ) {}

  /** A checkout of its own: the prepared one, or a new one now. */
  take(): Promise<string> {
    const checkout = this.ready ?? this.make();
    this.ready = undefined;
    return checkout;
  }

  /** Starts the next checkout in the background; take() waits for it (and gets its error). */
  prepare(): void {
    if (this.ready) return;
    const ready = this.make();
    // Observed by take() or close(); never an unhandled rejection in between.
    ready.catch(() => undefined);
    this.ready = ready;
  }

  /** Waits for a prepared checkout nobody took (a failed build), so the caller can remove the folder. */
  async close(): Promise<void> {
    await this.ready?.catch(() => undefined);
    this.ready = undefined;
  }

  private async make(): Promise<string> {
    const dest = join(this.dir, `checkout-${this.made++}`);
    try {
      await checkoutCommit(
        { repo: this.source.repo, bare: this.source.kind === "bare" },
        this.source.commit,
        dest,
      );
    } catch (error) {
      await rm(dest, { recursive: true, force: true });
      throw error;
    }
    return dest;
  }
}
