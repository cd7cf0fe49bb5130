import { SkiffError } from "../../errors/index.js";
import { resignRelease } from "../../store/index.js";
import { loadPrivateKey } from "../../trust/index.js";
import { printJson, say } from "../output.js";

/** `skiff resign APP [RELEASE]`. */
export async function resignCommand(
  app: string,
  release: string | undefined,
  options: { repo: string; key: string[]; expires?: string; json?: boolean },
): Promise<void> {
  if (release !== undefined && !/^[1-9][0-9]{0,8}$/.test(release)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `release "${release}" is not a positive whole number`, {
      hint: `skiff resign ${app} 4 --repo R --key skiff.key`,
    });
  }
  const result = await resignRelease({
    repo: options.repo,
    app,
    keys: options.key.map((key) => loadPrivateKey(key, "ed25519")),
    ...(release === undefined ? {} : { release: Number(release) }),
    ...(options.expires ? { expires: options.expires } : {}),
  });
  say(
    `signed ${app} release ${result.release} again (sequence ${result.sequence}${result.expires ? `, expires ${result.expires}` : ""})` +
      (result.pointers.length > 0 ? `; new ${result.pointers.join(" and ")} record` : ""),
  );
  if (options.json) printJson(result);
}
