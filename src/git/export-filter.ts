import { Transform, type TransformCallback } from "node:stream";

/**
 * `git fast-export --no-data`'s stream with the file changes (`M <mode> <blob> <path>`) of every
 * path `keep` refuses left out, so the commits fast-import writes from it never hold those files.
 * Everything else passes byte for byte (commit messages are counted `data <n>` blocks).
 */
export class ExportFilter extends Transform {
  /** The paths left out, each once. */
  readonly dropped = new Set<string>();
  private pending: Buffer = Buffer.alloc(0);
  private dataLeft = 0;

  constructor(private readonly keep: (path: string) => boolean) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    let at = 0;
    while (at < buffer.length) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, buffer.length - at);
        out.push(buffer.subarray(at, at + take));
        at += take;
        this.dataLeft -= take;
        continue;
      }
      const end = buffer.indexOf(0x0a, at);
      if (end < 0) break;
      const line = buffer.subarray(at, end + 1);
      at = end + 1;
      if (this.passes(line)) out.push(line);
    }
    // Only an incomplete command line is kept for the next chunk.
    this.pending = Buffer.from(buffer.subarray(at));
    done(null, Buffer.concat(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pending);
  }

  private passes(line: Buffer): boolean {
    const text = line.toString("latin1");
    const data = /^data (\d+)\n$/.exec(text);
    if (data) {
      this.dataLeft = Number(data[1]);
      return true;
    }
    if (!text.startsWith("M ")) return true;
    const path = modifiedPath(line);
    if (path === undefined || this.keep(path)) return true;
    this.dropped.add(path);
    return false;
  }
}

/** The path of `M <mode> <dataref> <path>\n` (C-quoted when it holds special characters). */
export function modifiedPath(line: Buffer): string | undefined {
  const text = line.toString("utf8").replace(/\n$/, "");
  const match = /^M [0-7]+ \S+ (.*)$/.exec(text);
  if (!match?.[1]) return undefined;
  return match[1].startsWith('"') ? unquoteC(match[1]) : match[1];
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/** git's C-style quoting undone: `"a\tb\303\251"` → the path's bytes as UTF-8. */
function unquoteC(quoted: string): string {
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const next = body[i + 1] ?? "";
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
