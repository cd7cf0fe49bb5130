import { looksLikeError, type NumberedLine } from "./hint-lines.js";

/** The first error-looking lines kept for a failure's hint (the first errors are usually the cause). */
const KEEP_ERRORS = 12;

/** Splits streamed chunks into whole lines per stream and keeps what a failure's hint quotes. */
export class OutputLines {
  private readonly partial = { stdout: "", stderr: "" };
  private readonly tail: NumberedLine[] = [];
  private readonly errors: NumberedLine[] = [];
  private count = 0;

  constructor(
    private readonly onLine: (line: string, stream: "stdout" | "stderr") => void,
    private readonly keep = 10,
  ) {}

  push(chunk: string, stream: "stdout" | "stderr"): void {
    const lines = (this.partial[stream] + chunk).split(/\r?\n/);
    this.partial[stream] = lines.pop() ?? "";
    for (const line of lines) this.emit(line, stream);
  }

  /** Emits what is left without a trailing newline. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.partial[stream].length > 0) this.emit(this.partial[stream], stream);
      this.partial[stream] = "";
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
