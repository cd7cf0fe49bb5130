import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { borrowObjects } from "./borrow-objects.js";

export interface GitDirOptions {
  /** The git directory to create (a bare repository, or a work tree's `.git`). */
  dir: string;
  bare: boolean;
  /** Object directories its objects are read from (git alternates); it has none of its own yet. */
  alternates: readonly string[];
  /** HEAD: a commit id (detached) or `ref: refs/heads/<name>`. */
  head: string;
  /** Recorded as remote origin's URL (credentials must not be in it). */
  origin?: string;
}

/**
 * A git directory written as files (gitrepository-layout: HEAD, config, objects/, refs/) instead of
 * `git init` + `git clone`: its objects borrowed, nothing copied. Callers add the refs it needs.
 */
export async function writeGitDir(options: GitDirOptions): Promise<void> {
  const { dir } = options;
  await borrowObjects(dir, options.alternates);
  await mkdir(join(dir, "refs", "heads"), { recursive: true });
  await mkdir(join(dir, "refs", "tags"), { recursive: true });
  const origin =
    options.origin === undefined ? "" : `[remote "origin"]\n\turl = ${quoteConfigValue(options.origin)}\n`;
  await writeFile(
    join(dir, "config"),
    `[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = ${options.bare}\n${origin}`,
  );
  await writeFile(join(dir, "HEAD"), `${options.head}\n`);
}

/** A git config value in double quotes, with the two characters that need it escaped. */
function quoteConfigValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
