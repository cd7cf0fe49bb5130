import { closeSync, openSync, renameSync, writeSync } from "node:fs";

/** One log file holds at most this much; then it becomes <log>.1 (replacing the one before) and a new one starts. */
export const STEP_LOG_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A step's log file, capped and rotated: at most two files of STEP_LOG_MAX_BYTES on disk (the
 * output's last part), however much the step prints. Writes are synchronous, so no output waits
 * in memory for a slow disk.
 */
export class StepLog {
  private fd: number;
  private written = 0;
  /** Bytes the step printed, in all. */
  total = 0;
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly maxBytes = STEP_LOG_MAX_BYTES,
  ) {
    this.fd = openSync(path, "w", 0o644);
  }

  write(chunk: string): void {
    const bytes = Buffer.from(chunk);
    this.total += bytes.length;
    if (this.written + bytes.length > this.maxBytes && this.written > 0) this.rotate();
    writeSync(this.fd, bytes);
    this.written += bytes.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.rotations++;
    this.fd = openSync(this.path, "w", 0o644);
    this.written = 0;
    const note = `[skiff: the log was rotated; ${this.total} bytes so far, the part before is in ${this.path}.1]\n`;
    writeSync(this.fd, note);
    this.written += Buffer.byteLength(note);
  }
}
