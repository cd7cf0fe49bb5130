/** A longer line is cut to this many characters (the step's log keeps it whole). */
export const MAX_LINE_CHARS = 4096;

/**
 * Splits streamed chunks into whole lines per stream and keeps the last few lines for error hints.
 * Memory stays bounded whatever the output: a line longer than MAX_LINE_CHARS is emitted cut,
 * and the rest of it skipped up to its newline.
 */
export class OutputLines {
  private readonly partial = { stdout: "", stderr: "" };
  /** Characters of the current line skipped since it was cut, per stream. */
  private readonly skipping = { stdout: -1, stderr: -1 };
  private readonly tail: string[] = [];

  constructor(
    private readonly onLine: (line: string, stream: "stdout" | "stderr") => void,
    private readonly keep = 10,
  ) {}

  push(chunk: string, stream: "stdout" | "stderr"): void {
    let rest = chunk;
    if (this.skipping[stream] >= 0) {
      const newline = rest.indexOf("\n");
      if (newline < 0) {
        this.skipping[stream] += rest.length;
        return;
      }
      this.skipping[stream] = -1;
      rest = rest.slice(newline + 1);
    }
    const lines = (this.partial[stream] + rest).split(/\r?\n/);
    this.partial[stream] = lines.pop() ?? "";
    for (const line of lines) this.emit(cut(line), stream);
    if (this.partial[stream].length > MAX_LINE_CHARS) {
      this.emit(cut(this.partial[stream]), stream);
      this.partial[stream] = "";
      this.skipping[stream] = 0;
    }
  }

  /** Emits what is left without a trailing newline. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.partial[stream].length > 0) this.emit(this.partial[stream], stream);
      this.partial[stream] = "";
      this.skipping[stream] = -1;
    }
  }

  lastLines(count = this.keep): string[] {
    return this.tail.slice(-count);
  }

  private emit(line: string, stream: "stdout" | "stderr"): void {
    this.tail.push(line);
    if (this.tail.length > this.keep) this.tail.shift();
    this.onLine(line, stream);
  }
}

function cut(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)} …(line cut)` : line;
}
