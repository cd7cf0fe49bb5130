import { SkiffError } from "../errors/index.js";

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The bytes a signature covers: RFC 8785 (JCS) style canonical JSON.
 * - object keys sorted by UTF-16 code units (Array.prototype.sort's default order), no duplicates;
 * - no whitespace outside strings; strings and numbers written as JSON.stringify writes them
 *   (ECMAScript shortest round-trip numbers, -0 as 0);
 * - object properties whose value is undefined are left out (as JSON.stringify does), so a value
 *   survives a write → parse → canonicalJson round trip unchanged;
 * - refused: NaN, ±Infinity, undefined in arrays, bigint, functions, symbols, strings that are not
 *   well-formed UTF-16 (lone surrogates cannot be encoded as UTF-8), and objects that are not plain.
 * The result is encoded as UTF-8 by the caller (Buffer.from(text, "utf8")).
 */
export function canonicalJson(value: unknown): string {
  return writeValue(value, "$");
}

function writeValue(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw refuse(path, "a non-finite number");
      return JSON.stringify(value);
    case "string":
      if (LONE_SURROGATE.test(value)) throw refuse(path, "a string with a lone surrogate");
      return JSON.stringify(value);
    case "object":
      return Array.isArray(value) ? writeArray(value, path) : writeObject(value, path);
    default:
      throw refuse(path, `a ${typeof value}`);
  }
}

function writeArray(items: readonly unknown[], path: string): string {
  const parts = items.map((item, index) => {
    if (item === undefined) throw refuse(`${path}[${index}]`, "undefined");
    return writeValue(item, `${path}[${index}]`);
  });
  return `[${parts.join(",")}]`;
}

function writeObject(object: object, path: string): string {
  const proto = Object.getPrototypeOf(object) as unknown;
  if (proto !== Object.prototype && proto !== null) throw refuse(path, "an object that is not plain JSON");
  const record = object as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    if (LONE_SURROGATE.test(key)) throw refuse(path, "a key with a lone surrogate");
    parts.push(`${JSON.stringify(key)}:${writeValue(item, `${path}.${key}`)}`);
  }
  return `{${parts.join(",")}}`;
}

function refuse(path: string, what: string): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_SIGNATURE_INVALID",
    `cannot sign ${what} at ${path}: it has no canonical JSON form`,
    {
      hint: "signed payloads hold only plain JSON: strings, finite numbers, booleans, null, arrays and objects",
      data: { path },
    },
  );
}
