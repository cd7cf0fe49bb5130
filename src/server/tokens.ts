import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { SkiffError } from "../errors/index.js";

const TokenRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  readOnly: z.boolean(),
  salt: z.string(),
  /** sha256(salt + token), hex: tokens are 256 random bits, so a slow KDF adds nothing. */
  hash: z.string(),
  created: z.string(),
});
const TokenFileSchema = z.object({ tokens: z.array(TokenRecordSchema) });

export type TokenRecord = z.infer<typeof TokenRecordSchema>;

export interface CreateTokenOptions {
  data: string;
  name?: string;
  readOnly?: boolean;
}

export interface CreatedToken {
  /** Shown once; only its salted hash is kept. */
  token: string;
  record: TokenRecord;
}

export function tokensFile(data: string): string {
  return join(data, "tokens.json");
}

/** Every token record in DATA/tokens.json (none when the file does not exist yet). */
export function readTokens(data: string): TokenRecord[] {
  let text: string;
  try {
    text = readFileSync(tokensFile(data), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const parsed = TokenFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new SkiffError("ERR_SKIFF_SERVER", `${tokensFile(data)} is not a valid token file`, {
      hint: "move it away and create new tokens with skiff server token create",
    });
  }
  return parsed.data.tokens;
}

/** Creates a random token, stores its salted hash (atomically, mode 600) and returns the token once. */
export function createToken(options: CreateTokenOptions): CreatedToken {
  const token = `skf_${randomBytes(32).toString("base64url")}`;
  const salt = randomBytes(16).toString("hex");
  const record: TokenRecord = {
    id: randomBytes(6).toString("hex"),
    name: options.name ?? (options.readOnly ? "read-only" : "push"),
    readOnly: options.readOnly ?? false,
    salt,
    hash: hashToken(salt, token),
    created: new Date().toISOString(),
  };
  const tokens = [...readTokens(options.data), record];
  mkdirSync(options.data, { recursive: true });
  const tmp = `${tokensFile(options.data)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ tokens }, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, tokensFile(options.data));
  return { token, record };
}

/** The record a presented token matches, compared in constant time; undefined when none does. */
export function verifyToken(tokens: readonly TokenRecord[], presented: string): TokenRecord | undefined {
  let match: TokenRecord | undefined;
  // Check every record so the time taken does not tell which one (or whether one) matched.
  for (const record of tokens) {
    const expected = Buffer.from(record.hash, "hex");
    const actual = Buffer.from(hashToken(record.salt, presented), "hex");
    if (expected.length === actual.length && timingSafeEqual(expected, actual)) match = record;
  }
  return match;
}

function hashToken(salt: string, token: string): string {
  return createHash("sha256").update(salt).update(token).digest("hex");
}
