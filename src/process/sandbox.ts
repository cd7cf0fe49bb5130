import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { tmpdir } from "node:os";

/** What a sandboxed command may touch. */
export interface SandboxOptions {
  /** The folder it may write (besides a private /tmp and its cache) and runs in: its checkout. */
  writable: string;
  /** A folder it may write too, kept between builds (SKIFF_CACHE_DIR). */
  cache?: string;
  /** false: no network but its own loopback (build.network in skiff.yml). */
  network: boolean;
  /** Folders and files it must not see at all (empty inside): the server's data, with its secrets. */
  hidden?: readonly string[];
  /**
   * Its TMPDIR where bubblewrap cannot run (inside it, /tmp is a tmpfs of its own that dies with
   * it): a folder of the caller's, removed after the command, so a compiler's temp files of a build
   * cut short never reach the host's TMPDIR.
   */
  tempDir?: string;
}

/** Whether bubblewrap can sandbox the user's commands on this host, and if not why. */
export type SandboxStatus = { kind: "bwrap"; file: string } | { kind: "none"; reason: string; hint: string };

/** Which bwrap to run (SKIFF_BWRAP names another, or a missing one to see the fallback). */
function bwrapFile(): string {
  return process.env.SKIFF_BWRAP ?? "bwrap";
}

let probed: Promise<SandboxStatus> | undefined;

/** Tries bwrap once per process with the very options builds use: installed and allowed (root or user namespaces). */
export function probeSandbox(): Promise<SandboxStatus> {
  probed ??= tryBwrap(bwrapFile());
  return probed;
}

function tryBwrap(file: string): Promise<SandboxStatus> {
  const args = bwrapArgs({ writable: tmpdir(), network: false }, ["/bin/true"]);
  return new Promise((resolve) => {
    let stderr = "";
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-1000)));
    child.on("error", (error) =>
      resolve(
        unavailable(
          `${file} cannot run: ${error.message}`,
          "install bubblewrap (apt-get install bubblewrap)",
        ),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) return resolve({ kind: "bwrap", file });
      resolve(
        unavailable(
          `${file} cannot make a sandbox: ${stderr.trim() || `exit ${code}`}`,
          "run skiff as root, or allow user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0)",
        ),
      );
    });
  });
}

function unavailable(reason: string, hint: string): SandboxStatus {
  return {
    kind: "none",
    reason,
    hint: `${hint}; until then builds run unsandboxed and a timeout kills their process group and every process that carries the build's mark (docs/reliability.md)`,
  };
}

/**
 * bwrap's argv around `command`: its own PID namespace that dies with skiff (so every process the
 * command starts, daemons included, ends with it), the file system read-only but for `writable`
 * and a private /tmp, the hidden folders empty, no capabilities, and the network only if allowed.
 */
export function bwrapArgs(options: SandboxOptions, command: readonly string[]): string[] {
  const hidden = (options.hidden ?? []).flatMap((path) => {
    const kind = statSync(path, { throwIfNoEntry: false });
    if (kind?.isDirectory()) return ["--tmpfs", path];
    return kind ? ["--ro-bind", "/dev/null", path] : [];
  });
  return [
    "--die-with-parent",
    "--unshare-pid",
    "--unshare-ipc",
    // No controlling terminal: a build cannot type into the terminal of whoever runs skiff build.
    "--new-session",
    ...(options.network ? [] : ["--unshare-net"]),
    // As root bwrap keeps every capability unless told (one could remount / writable).
    ...(process.getuid?.() === 0 ? ["--cap-drop", "ALL"] : []),
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    ...hidden,
    // After the tmpfs mounts: the checkout and the cache may sit inside one of them (the server's data).
    ...(options.cache === undefined ? [] : ["--bind", options.cache, options.cache]),
    "--bind",
    options.writable,
    options.writable,
    "--chdir",
    options.writable,
    "--",
    ...command,
  ];
}
