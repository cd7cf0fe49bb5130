import type { ICompare, IKeyValue, IRequestOp, IResponseOp } from "etcd3";
import { prefixEnd } from "./keys.js";

/** etcd v3 transaction parts as plain request objects (the KV service's Txn), one small function each. */

export function putOp(key: string, value: unknown, lease?: string): IRequestOp {
  return {
    request_put: {
      key: Buffer.from(key),
      value: Buffer.from(JSON.stringify(value)),
      ...(lease === undefined ? {} : { lease }),
    },
  };
}

export function deleteOp(key: string): IRequestOp {
  return { request_delete_range: { key: Buffer.from(key) } };
}

/** Deletes every key from `from` (inclusive) to `to` (exclusive). */
export function deleteRangeOp(from: string, to: string): IRequestOp {
  return { request_delete_range: { key: Buffer.from(from), range_end: Buffer.from(to) } };
}

export function getOp(key: string): IRequestOp {
  return { request_range: { key: Buffer.from(key) } };
}

export function getPrefixOp(prefix: string, options: { keysOnly?: boolean } = {}): IRequestOp {
  return {
    request_range: {
      key: Buffer.from(prefix),
      range_end: prefixEnd(prefix),
      ...(options.keysOnly ? { keys_only: true } : {}),
    },
  };
}

/** The key exists and was created at that revision: it is still the very key we put (a fence). */
export function createdAt(key: string, revision: string): ICompare {
  return { key: Buffer.from(key), target: "Create", result: "Equal", create_revision: revision };
}

/** The key does not exist. */
export function absent(key: string): ICompare {
  return createdAt(key, "0");
}

/** The key-values a range op of a transaction returned. */
export function rangeKvs(response: IResponseOp | undefined): IKeyValue[] {
  return response?.response_range?.kvs ?? [];
}

/** a < b for etcd revisions (decimal strings of int64). */
export function revisionBefore(a: string, b: string): boolean {
  return BigInt(a) < BigInt(b);
}
