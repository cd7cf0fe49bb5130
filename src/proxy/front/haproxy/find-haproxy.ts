import { findExecutable, runProcess } from "../../../process/index.js";

/** HAProxy 2.4 brought `add server` at runtime; the front door is tested with 2.6 (Debian 12). */
const MINIMUM = [2, 4] as const;

export type FoundHaproxy =
  { found: true; binary: string; version: string } | { found: false; reason: string };

/** Finds haproxy on PATH (and the sbin directories a non-root PATH often lacks) and checks its version. */
export async function findHaproxy(env: NodeJS.ProcessEnv = process.env): Promise<FoundHaproxy> {
  const binary = findExecutable("haproxy", env, ["/usr/sbin", "/usr/local/sbin", "/sbin"]);
  if (binary === undefined)
    return { found: false, reason: "haproxy is not installed (not on PATH nor in /usr/sbin)" };
  const result = await runProcess(binary, ["-v"], { timeoutMs: 5000, allowFailure: true });
  const version = /HAProxy version (\d+)\.(\d+)(\.\d+)?/.exec(result.stdout);
  if (version === null) return { found: false, reason: `${binary} -v did not print an HAProxy version` };
  const [major, minor] = [Number(version[1]), Number(version[2])];
  const text = `${major}.${minor}${version[3] ?? ""}`;
  if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1]))
    return {
      found: false,
      reason: `${binary} is HAProxy ${text}; the front door needs ${MINIMUM.join(".")} or newer`,
    };
  return { found: true, binary, version: text };
}
