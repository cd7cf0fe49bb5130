import { resolve } from "node:path";
import { SkiffError } from "../errors/index.js";
import { readSecretFile } from "../server/index.js";

/** --repo-token-file: the token read from its file goes into the repository URL (as git's password). */
export function withRepoToken(repo: string, tokenFile: string | undefined): string {
  if (tokenFile === undefined) return repo;
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SkiffError("ERR_SKIFF_USAGE", "--repo-token-file needs an http(s) --repo URL", {
      hint: "follow a skiff server at http://HOST:PORT/deploy.git with its read-only token in the file",
    });
  }
  url.username = url.username || "git";
  url.password = readSecretFile(resolve(tokenFile));
  return url.href;
}
