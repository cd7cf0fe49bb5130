import { SkiffError } from "../errors/index.js";
import { spawnGit } from "./spawn-git.js";

/**
 * The bytes of several small blobs of `repo` from one `git cat-file --batch`, by object id; a
 * missing object or one that is not a blob is left out. Callers bound the sizes beforehand.
 */
export async function readBlobs(repo: string, objects: readonly string[]): Promise<Map<string, Buffer>> {
  const wanted = [...new Set(objects)];
  const found = new Map<string, Buffer>();
  if (wanted.length === 0) return found;
  const git = spawnGit(["cat-file", "--batch"], { cwd: repo });
  git.child.stdin.end(wanted.join("\n") + "\n");
  const { exitCode, stdout, stderr } = await git.done;
  if (exitCode !== 0) {
    throw new SkiffError(
      "ERR_SKIFF_GIT",
      `git cat-file --batch failed: ${stderr.trim() || `exit ${exitCode}`}`,
      {
        hint: "check that the repository exists and that you may read it",
      },
    );
  }
  // Each answer: "<object> <type> <size>\n<bytes>\n", or "<name> missing\n".
  let at = 0;
  while (at < stdout.length) {
    const end = stdout.indexOf(0x0a, at);
    if (end < 0) break;
    const [object = "", type = "", size = ""] = stdout.subarray(at, end).toString("latin1").split(" ");
    at = end + 1;
    if (type === "missing" || type === "ambiguous") continue;
    const bytes = stdout.subarray(at, at + Number(size));
    at += Number(size) + 1;
    if (type === "blob") found.set(object, Buffer.from(bytes));
  }
  return found;
}
