import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type LineCounter } from "yaml";
import { SkiffError } from "../errors/index.js";

/** skiff.yml is a page of settings; anything near these is an attack or an accident. */
export const YAML_LIMITS = {
  /** Nesting of mappings and lists (skiff.yml itself needs 5). */
  depth: 32,
  /** Alias expansions (yaml's maxAliasCount: what a billion-laughs file hits). */
  aliases: 100,
  /** Lines, keys and list items, roughly (a real skiff.yml has a few hundred): parsing 250 KiB of them takes seconds. */
  nodes: 10_000,
};

/**
 * Checked on the text, in one pass, before it is parsed. Flow collections ([ … ] and { … }) nest
 * by recursion in the parser: 100 000 brackets are refused here. And the parser needs seconds for
 * 250 KiB of tiny nodes: lines, separators and keys are counted. Quoted strings and comments are
 * skipped; a bracket or a colon inside a plain value only makes the counts larger.
 */
export function checkShape(text: string, fileName: string): void {
  let depth = 0;
  let nodes = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (c === 10 || c === 44 || c === 58) nodes++;
    else if (c === 34 || c === 39) i = skipQuoted(text, i, c);
    else if (c === 35 && (i === 0 || /\s/.test(text[i - 1]!))) i = skipToLineEnd(text, i);
    else if (c === 91 || c === 123) {
      nodes++;
      if (++depth > YAML_LIMITS.depth) throw tooDeep(fileName, line);
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
    if (nodes > YAML_LIMITS.nodes) throw tooManyNodes(fileName, line);
  }
}

function skipQuoted(text: string, start: number, quote: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 34 && c === 92) i++;
    else if (c === quote) return i;
  }
  return text.length;
}

function skipToLineEnd(text: string, start: number): number {
  const end = text.indexOf("\n", start);
  // Back on the newline, so the caller counts the line.
  return end < 0 ? text.length : end - 1;
}

/** Nesting of the parsed document, block and flow alike, walked without recursion. */
export function checkDepth(doc: Document, lineCounter: LineCounter, fileName: string): void {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= YAML_LIMITS.depth) throw tooDeep(fileName, lineCounter.linePos(node.range?.[0] ?? 0).line);
    for (const item of node.items) {
      const value = isPair(item) ? item.value : item;
      stack.push({ node: value, depth: depth + 1 });
    }
  }
}

/**
 * Two keys of one mapping with the same name, found with a set per mapping (yaml's own
 * uniqueKeys check compares every key with every other: 20 000 keys took seconds).
 */
export function checkUniqueKeys(doc: Document, lineCounter: LineCounter, fileName: string): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) for (const item of node.items) stack.push(item);
    if (!isMap(node)) continue;
    // As keys of the JavaScript object they become: 1 and "1" are one key.
    const seen = new Set<string>();
    for (const item of node.items) {
      stack.push(item.value);
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      if (seen.has(key)) {
        const pos = lineCounter.linePos(item.key.range?.[0] ?? 0);
        throw new SkiffError(
          "ERR_SKIFF_CONFIG_SYNTAX",
          `${fileName}:${pos.line}:${pos.col}: key "${key}" appears twice in one mapping`,
          { hint: "keep one of them", data: { file: fileName, line: pos.line, col: pos.col } },
        );
      }
      seen.add(key);
    }
  }
}

/** An alias (*name) before or without its anchor (&name): found in one walk in document order. */
export function checkAliases(doc: Document, lineCounter: LineCounter, fileName: string): void {
  const anchors = new Set<string>();
  let unresolved: { source: string; offset: number } | undefined;
  visit(doc, (_key, node) => {
    if (isScalar(node) || isMap(node) || isSeq(node)) {
      if (node.anchor) anchors.add(node.anchor);
    } else if (isAlias(node) && !anchors.has(node.source)) {
      unresolved = { source: node.source, offset: node.range?.[0] ?? 0 };
      return visit.BREAK;
    }
    return undefined;
  });
  if (!unresolved) return;
  const pos = lineCounter.linePos(unresolved.offset);
  throw new SkiffError(
    "ERR_SKIFF_CONFIG_SYNTAX",
    `${fileName}:${pos.line}:${pos.col}: alias *${unresolved.source} names no anchor &${unresolved.source} above it`,
    { hint: "define &name before using *name", data: { file: fileName, line: pos.line, col: pos.col } },
  );
}

function tooDeep(fileName: string, line: number): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_CONFIG_TOO_COMPLEX",
    `${fileName}:${line}: nested more than ${YAML_LIMITS.depth} levels deep`,
    {
      hint: "skiff.yml needs a few levels of nesting; see docs/configuration.md",
      data: { file: fileName, line },
    },
  );
}

function tooManyNodes(fileName: string, line: number): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_CONFIG_TOO_COMPLEX",
    `${fileName}:${line}: more than ${YAML_LIMITS.nodes} keys, list items and lines`,
    { hint: "skiff.yml holds a page of settings; see docs/configuration.md", data: { file: fileName, line } },
  );
}

/** yaml's answer to a billion-laughs file, as skiff's error. */
export function tooManyAliases(fileName: string): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_CONFIG_TOO_COMPLEX",
    `${fileName}: its aliases (*name) expand to more than ${YAML_LIMITS.aliases} copies`,
    { hint: "write the values out instead of aliasing aliases", data: { file: fileName } },
  );
}
