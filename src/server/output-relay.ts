import type { PushOutput } from "./push-output.js";

/** How much build output a push relays to its pusher; the build log keeps the rest. */
export interface RelayLimits {
  /** Bytes of build output relayed per push, in all. */
  totalBytes: number;
  /** Bytes per second, sustained (a token bucket)... */
  bytesPerSecond: number;
  /** ...with bursts up to this many bytes. */
  burstBytes: number;
  /** A longer line is cut (the log has it whole). */
  lineBytes: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  totalBytes: 1024 * 1024,
  bytesPerSecond: 64 * 1024,
  burstBytes: 256 * 1024,
  lineBytes: 1024,
};

const INDENT = "       ";

/**
 * Relays a build's output lines to the pusher within limits (rate and total), and says how much it
 * left out, with the byte count and where the whole log is, when a step ends.
 */
export class OutputRelay {
  private relayed = 0;
  private tokens: number;
  private refilledAt = performance.now();
  private skippedLines = 0;
  private skippedBytes = 0;
  private saidTotal = false;

  constructor(
    private readonly output: PushOutput,
    private readonly limits: RelayLimits = DEFAULT_RELAY_LIMITS,
  ) {
    this.tokens = limits.burstBytes;
  }

  line(text: string): void {
    const bytes = Buffer.byteLength(text) + 1;
    this.refill();
    if (this.relayed + bytes > this.limits.totalBytes || this.tokens < bytes) {
      this.skippedLines++;
      this.skippedBytes += bytes;
      if (!this.saidTotal && this.relayed + bytes > this.limits.totalBytes) {
        this.saidTotal = true;
        this.output.line(
          `${INDENT}… more output than skiff relays (${formatBytes(this.limits.totalBytes)}); the build goes on`,
        );
      }
      return;
    }
    this.relayed += bytes;
    this.tokens -= bytes;
    const cut = text.length > this.limits.lineBytes ? `${text.slice(0, this.limits.lineBytes)} …(cut)` : text;
    this.output.line(`${INDENT}${cut}`);
  }

  /** At the end of a step: one line on what was not shown, if anything. */
  summarize(logPath: string | undefined): void {
    if (this.skippedLines === 0) return;
    const where = logPath === undefined ? "" : `; full log: ${logPath}`;
    this.output.line(
      `${INDENT}… ${this.skippedLines} lines (${this.skippedBytes} bytes) of output not shown${where}`,
    );
    this.skippedLines = 0;
    this.skippedBytes = 0;
  }

  private refill(): void {
    const now = performance.now();
    const earned = ((now - this.refilledAt) / 1000) * this.limits.bytesPerSecond;
    this.tokens = Math.min(this.limits.burstBytes, this.tokens + earned);
    this.refilledAt = now;
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
