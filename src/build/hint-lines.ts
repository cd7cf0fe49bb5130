/** A line of a step's output and its position (1 = the first line). */
export interface NumberedLine {
  n: number;
  text: string;
}

/** What the compilers, make, test runners and shells people use print when something breaks. */
const ERROR_WORDS =
  /(?:^|[^A-Za-z])(?:error|errors|fatal|failed|failure|panic|exception|traceback|undefined reference|no such file or directory|command not found|segmentation fault)(?:[^A-Za-z]|$)/i;
/** A warning is not an error, even when it names one ("warning: … may fail"), unless it says `error:`. */
const WARNING = /(?:^|[^A-Za-z])warning(?:[^A-Za-z]|$)/i;
/** A count of nothing wrong ("0 errors", "0 failed") is good news. */
const NOTHING_WRONG = /(?:^|[^0-9])0 (?:errors?|failed|failures?)(?:[^A-Za-z]|$)/i;

export function looksLikeError(line: string): boolean {
  if (!ERROR_WORDS.test(line) || NOTHING_WRONG.test(line)) return false;
  return !WARNING.test(line) || /error:/i.test(line);
}

/** Lines just above the hint when the output was shown as it ran: they are not printed twice. */
export const JUST_ABOVE = 5;
/** At most this many lines in a hint. */
export const HINT_LINES = 8;

export interface HintInput {
  /** The first lines of the output that look like errors. */
  errors: readonly NumberedLine[];
  /** The last lines of the output. */
  tail: readonly NumberedLine[];
  /** How many lines the output had. */
  total: number;
  /** The output was printed as it ran (a push, skiff build): the user has just seen its end. */
  shown: boolean;
}

/**
 * The part of a failed step's hint that quotes its output (pure): the lines that look like errors,
 * not the last warnings; when the output was shown as it ran, never the lines just above the hint.
 * Without error-looking lines, an output nobody saw ends with its last lines.
 */
export function describeOutputForHint(input: HintInput): string {
  const justAbove = input.shown ? input.total - JUST_ABOVE : Infinity;
  const errors = input.errors.filter((line) => line.n <= justAbove).slice(0, HINT_LINES);
  const quote = (lines: readonly NumberedLine[]): string => lines.map((l) => `  ${l.text}`).join("\n");
  if (errors.length > 0) {
    const first = input.errors.length > errors.length ? "the first lines" : "the lines";
    return `${first} that look like errors (of ${input.total}):\n${quote(errors)}\n`;
  }
  if (input.errors.length > 0) return "the lines that look like errors are just above\n";
  if (input.shown || input.tail.length === 0) return "";
  return `last output:\n${quote(input.tail.slice(-HINT_LINES))}\n`;
}
