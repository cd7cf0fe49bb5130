import { looksLikeError, type NumberedLine } from "./hint-lines.js";

/** A longer line is cut to this many characters (the step's log keeps it whole). */
export const MAX_LINE_CHARS = 4096;

/** The first error-looking lines kept for a failure's hint (the first errors are usually the cause). */
const KEEP_ERRORS = 12;

/**
 * Splits streamed chunks into whole lines per stream and keeps what a failure's hint quotes.
 * Memory stays bounded whatever the output: a line longer than MAX_LINE_CHARS is emitted cut,
 * and the rest of it skipped up to its newline.
 */
export class OutputLines {
  private readonly partial = { stdout: "", stderr: "" };
  /** Characters of the current line skipped since it was cut, per stream. */
  private readonly skipping = { stdout: -1, stderr: -1 };
  private readonly tail: NumberedLine[] = [];
  private readonly errors: NumberedLine[] = [];
  private count = 0;

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

  /** What describeOutputForHint needs: the first error-looking lines, the last lines, how many there were. */
  forHint(): { errors: NumberedLine[]; tail: NumberedLine[]; total: number } {
    return { errors: [...this.errors], tail: [...this.tail], total: this.count };
  }

  private emit(line: string, stream: "stdout" | "stderr"): void {
    const numbered = { n: ++this.count, text: line };
    this.tail.push(numbered);
    if (this.tail.length > this.keep) this.tail.shift();
    if (this.errors.length < KEEP_ERRORS && looksLikeError(line)) this.errors.push(numbered);
    this.onLine(line, stream);
  }
}

function cut(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)} …(line cut)` : line;
}
