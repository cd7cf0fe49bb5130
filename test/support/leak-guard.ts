/**
 * Loaded into every test file's process (node --import, see scripts/run-tests.mjs): the file gets its
 * own temp dir and a marker every child inherits; when the file ends, a process that still carries
 * the marker or a file left in the temp dir fails the file, and the leftovers are removed.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Inherited by every process a test starts (unless it is given a fresh env, hence the path checks too). */
export const GUARD_ENV = "SKIFF_LEAK_GUARD";
/** How long stopped processes get to finish exiting after the file's last hook. */
const EXIT_GRACE_MS = 1000;
/**
 * A test file still running after this long is hung (the longest file takes about two minutes
 * on a busy CI machine): it prints what keeps it alive and exits, so CI names it instead of
 * waiting out its own limit. SKIFF_TEST_FILE_LIMIT_S overrides it (a slower machine).
 */
const HUNG_AFTER_MS = Number(process.env.SKIFF_TEST_FILE_LIMIT_S ?? 600) * 1000;

interface Leftover {
  pid: number;
  command: string;
}

function readProc(pid: string, name: string): string {
  try {
    return readFileSync(`/proc/${pid}/${name}`, "utf8");
  } catch {
    return "";
  }
}

/** Processes that carry this file's marker: the env var, or our temp dir in their argv or cwd. */
function findLeftovers(dir: string): Leftover[] {
  const found: Leftover[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const stat = readProc(pid, "stat");
    // Zombies are already dead; their parent just has not reaped them.
    if (stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
    const command = readProc(pid, "cmdline").split("\0").join(" ").trim();
    let cwd = "";
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone, or not ours to read
    }
    const marked =
      readProc(pid, "environ").split("\0").includes(`${GUARD_ENV}=${dir}`) ||
      command.includes(dir) ||
      cwd.startsWith(dir);
    if (marked) found.push({ pid: Number(pid), command });
  }
  return found;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function checkOnExit(file: string, dir: string): void {
  const problems: string[] = [];
  let leftovers = findLeftovers(dir);
  for (let waited = 0; leftovers.length > 0 && waited < EXIT_GRACE_MS; waited += 50) {
    sleepSync(50);
    leftovers = findLeftovers(dir);
  }
  for (const { pid, command } of leftovers) {
    problems.push(`process ${pid} still running: ${command.slice(0, 200)}`);
    try {
      // Ours by construction: it carries this file's marker. Killed so that one leak cannot break the next file.
      process.kill(pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  if (process.env.SKIFF_KEEP_TMP !== "1") {
    const entries = readdirSync(dir);
    if (entries.length > 0) problems.push(`temp files not removed: ${entries.join(", ")}`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length === 0) return;
  process.stderr.write(`\nleak guard: ${file} left behind:\n${problems.map((p) => `  - ${p}\n`).join("")}`);
  process.exitCode = 1;
}

/** What keeps a hung file's process alive: its libuv handles that are referenced, and its marked children. */
function reportHung(file: string, dir: string): void {
  const report = process.report.getReport() as unknown as {
    libuv: { type: string; is_referenced?: boolean; is_active?: boolean; [key: string]: unknown }[];
  };
  const handles = report.libuv
    .filter((handle) => handle.is_referenced && handle.is_active)
    .map((handle) => `  - ${JSON.stringify(handle)}\n`);
  const children = findLeftovers(dir).map(
    ({ pid, command }) => `  - process ${pid}: ${command.slice(0, 200)}\n`,
  );
  process.stderr.write(
    `\nleak guard: ${file} still running after ${HUNG_AFTER_MS / 1000} s: hung\n` +
      `active resources: ${process.getActiveResourcesInfo().join(", ")}\n` +
      `referenced handles:\n${handles.join("")}children:\n${children.join("") || "  (none)\n"}`,
  );
  process.exit(1);
}

function installGuard(): void {
  const file = process.argv[1] ?? "";
  // Only in a test file's own process, not in the runner that spawns them.
  if (!/\.test\.[cm]?js$/.test(file) || process.execArgv.includes("--test")) return;
  // Short prefix: unix socket paths (a proxy's control.sock) are limited to 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), "skiff-t-"));
  process.env.TMPDIR = dir;
  process.env[GUARD_ENV] = dir;
  process.on("exit", () => checkOnExit(file, dir));
  setTimeout(() => reportHung(file, dir), HUNG_AFTER_MS).unref();
}

installGuard();
