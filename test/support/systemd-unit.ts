import { readFileSync } from "node:fs";

/** A unit file's keys by section ("Service" → "ExecStart" → values, in order). */
export type Unit = Record<string, Record<string, string[]>>;

export function readUnit(path: string): Unit {
  const unit: Unit = {};
  let section = "";
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      unit[section] ??= {};
      continue;
    }
    const at = line.indexOf("=");
    if (at < 0) throw new Error(`not a key=value line in ${path}: ${line}`);
    ((unit[section] ??= {})[line.slice(0, at)] ??= []).push(line.slice(at + 1));
  }
  return unit;
}

/** The one value of a key, or an error. */
export function unitValue(unit: Unit, section: string, key: string): string {
  const values = unit[section]?.[key] ?? [];
  if (values.length !== 1) throw new Error(`[${section}] ${key} has ${values.length} values`);
  return values[0]!;
}

/**
 * ExecStart's words as systemd splits them (systemd.service "Command lines"): whitespace apart,
 * "double" or 'single' quoted, backslash escapes, %% for %, $$ for $. Written apart from skiff's
 * quoting so that a test checks one against the other.
 */
export function splitExecStart(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "%" || c === "$") {
      if (line[i + 1] !== c) throw new Error(`a lone ${c} at ${i} of ${line}: systemd would expand it`);
      word = (word ?? "") + c;
      i++;
    } else if (c === "\\") {
      const next = line[++i];
      if (next === undefined) throw new Error(`a trailing backslash in ${line}`);
      word = (word ?? "") + ({ n: "\n", t: "\t" }[next] ?? next);
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word = (word ?? "") + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + c;
  }
  if (quote !== undefined) throw new Error(`an unclosed quote in ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}
