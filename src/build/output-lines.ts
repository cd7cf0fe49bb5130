/** Splits streamed chunks into whole lines per stream and keeps the last few lines for error hints. */
export class OutputLines {
  private readonly partial = { stdout: "", stderr: "" };
  private readonly tail: string[] = [];

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

  lastLines(count = this.keep): string[] {
    return this.tail.slice(-count);
  }

  private emit(line: string, stream: "stdout" | "stderr"): void {
    this.tail.push(line);
    if (this.tail.length > this.keep) this.tail.shift();
    this.onLine(line, stream);
  }
}
