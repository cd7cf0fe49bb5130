import { spawn } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { gzipSync } from "node:zlib";
import { parseConfig } from "../src/config/index.js";
import { MANIFEST_VERSION, buildManifest, encodeManifest, type StoreInput } from "../src/store/index.js";
import { REPO_ROOT } from "./bench-host.js";

export interface BenchRepositoryOptions {
  releases: number;
  imageBytes: number;
  /** The port every release serves on (baked into the manifests). */
  port: number;
}

export const BENCH_APP = "fleet";
const CACHE = join(REPO_ROOT, ".cache", "bench");
/** Bump when what the generator writes changes: a cached repository of another layout is rebuilt. */
const GENERATOR = 1;

/**
 * A deployment repository of `releases` releases of app "fleet": each the serve fixture and an
 * incompressible image of `imageBytes` (a distinct AES-CTR keystream, stored as level-0 gzip),
 * written with one `git fast-import` and kept under .cache/bench between runs. What skiff store
 * would have written: manifests of the store's own format, current and sequence moving each time.
 */
export async function ensureBenchRepository(options: BenchRepositoryOptions): Promise<string> {
  const name = `fleet-g${GENERATOR}-m${MANIFEST_VERSION}-${options.releases}x${options.imageBytes}-p${options.port}.git`;
  const repo = join(CACHE, name);
  if (existsSync(join(repo, "skiff-bench-complete"))) return repo;
  mkdirSync(CACHE, { recursive: true });
  const building = `${repo}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  await runCommand("git", ["init", "--quiet", "--bare", "--initial-branch=main", building]);
  // Served as the store serves it: filters allowed; big blobs neither deltified nor deflated again.
  for (const [key, value] of [
    ["uploadpack.allowFilter", "true"],
    ["core.bigFileThreshold", "1m"],
    ["core.compression", "0"],
  ] as const) {
    await runCommand("git", ["config", key, value], building);
  }
  const started = Date.now();
  await fastImport(building, options);
  await runCommand("git", ["config", "skiff.bench", "complete"], building);
  rmSync(repo, { recursive: true, force: true });
  renameSync(building, repo);
  await runCommand("touch", [join(repo, "skiff-bench-complete")]);
  process.stderr.write(`built ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return repo;
}

function skiffYml(port: number): string {
  return `app: ${BENCH_APP}
build:
  command: "true"
  matrix:
    - target: unix
      artifact: [_build/${BENCH_APP}, _build/image]
      deploy: true
deploy:
  driver: unix
  port: ${port}
  strategy: recreate
  stop_timeout: 2s
  health: { http: /, timeout: 10s, interval: 50ms }
`;
}

/** Release n's image: deterministic, incompressible, distinct from every other release's. */
function imageOf(release: number, bytes: number): Buffer {
  const key = createHash("sha256").update(`fleet image ${release}`).digest();
  return createCipheriv("aes-128-ctr", key.subarray(0, 16), key.subarray(16, 32)).update(Buffer.alloc(bytes));
}

async function fastImport(repo: string, options: BenchRepositoryOptions): Promise<void> {
  const child = spawn("git", ["fast-import", "--quiet", "--big-file-threshold=1m"], {
    cwd: repo,
    stdio: ["pipe", "ignore", "inherit"],
  });
  const exited = once(child, "close");
  const write = async (chunk: Buffer | string): Promise<void> => {
    if (!child.stdin.write(chunk)) await once(child.stdin, "drain");
  };
  const config = parseConfig(skiffYml(options.port));
  const fixture = readFileSync(join(REPO_ROOT, "test", "fixtures", "unikernels", "serve.mjs"), "utf8");
  const time = Math.floor(Date.parse("2026-01-01T00:00:00Z") / 1000);
  for (let release = 1; release <= options.releases; release++) {
    const program = Buffer.from(fixture.replaceAll("__VERSION__", `v${release}`));
    const image = imageOf(release, options.imageBytes);
    const files = [
      { name: BENCH_APP, bytes: program, mode: 0o755 },
      { name: "image", bytes: image, mode: 0o644 },
    ].map((file) => {
      const stored = gzipSync(file.bytes, { level: file.bytes.length > 1024 * 1024 ? 0 : 1 });
      return {
        stored,
        entry: {
          name: file.name,
          size: file.bytes.length,
          sha256: createHash("sha256").update(file.bytes).digest("hex"),
          compression: "gzip" as const,
          stored: `${file.name}.gz`,
          storedSize: stored.length,
          mode: file.mode,
        },
      };
    });
    const build: StoreInput = {
      buildId: `bench-${release}`,
      app: BENCH_APP,
      commit: createHash("sha1").update(`commit ${release}`).digest("hex"),
      durationMs: 0,
      config,
      targets: [],
    };
    const entry = config.build.matrix[0]!;
    const manifest = buildManifest({
      build,
      targets: [
        {
          selected: { entry, built: { target: entry.target, deploy: true, artifacts: [] } },
          files: files.map((file) => file.entry),
        },
      ],
      release,
      sequence: release,
      created: new Date((time + release * 60) * 1000),
    });
    const folder = `${BENCH_APP}/releases/${release}`;
    const message = `${BENCH_APP}: release ${release} (bench, unix)\n`;
    await write(
      `commit refs/heads/main\ncommitter skiff <skiff@localhost> ${time + release * 60} +0000\n` +
        `data ${Buffer.byteLength(message)}\n${message}`,
    );
    for (const file of files) {
      await write(`M 100644 inline ${folder}/${file.entry.stored}\ndata ${file.stored.length}\n`);
      await write(file.stored);
      await write("\n");
    }
    for (const [path, text] of [
      [`${folder}/manifest.json`, encodeManifest(manifest)],
      [`${BENCH_APP}/current`, `${release}\n`],
      [`${BENCH_APP}/sequence`, `${release}\n`],
    ] as const) {
      await write(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    }
    await write("\n");
  }
  child.stdin.end("done\n");
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`git fast-import exited ${code}`);
}

/** Runs a program to its end (argv, no shell); rejects unless it exits 0. */
export function runCommand(file: string, args: readonly string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd, stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} ${args.join(" ")} exited ${code}`)),
    );
  });
}
