import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { ReleaseManifest } from "../../src/store/index.js";
import {
  canonicalJson,
  encodeEnvelope,
  loadPrivateKey,
  loadPublicKey,
  sealSecret,
  sha256Hex,
  signEnvelope,
  type PrivateKey,
  type SignedEnvelope,
} from "../../src/trust/index.js";
import { gitSync } from "../support/app-repo.js";
import { skiffOk, runSkiff } from "../support/run-skiff.js";
import {
  assertUntouched,
  attackRepo,
  buildAndStore,
  copyHost,
  lastRefusalCode,
  makeTrustHost,
  notifications,
  refusals,
  runAgent,
  runningInstance,
  type RunningInstance,
  type TrustHost,
} from "./trust-host.js";

/** What one hostile case gets: a work tree of the deployment repository and ways to forge files in it. */
interface Attack {
  work: string;
  host: TrustHost;
  key: PrivateKey;
  /** The commit where release 2 was stored (sequence 2), before the signed rollback to 1 (sequence 3). */
  storedTwo: string;
  /** Release 2's signed manifest payload as stored. */
  manifestTwo: () => ReleaseManifest;
  writeManifest: (release: number, payload: unknown, keys?: PrivateKey[]) => Buffer;
  writeRaw: (path: string, bytes: Buffer | string) => Buffer;
  writeRecord: (record: Partial<RecordFields> & { manifest: Buffer }, keys?: PrivateKey[]) => void;
}

interface RecordFields {
  app: string;
  pointer: string;
  release: number;
  sequence: number;
  expires: string;
}

interface HostileCase {
  name: string;
  code: string;
  /** Extra agent options (the trust options are always given unless `trust` replaces them). */
  agentArgs?: (host: TrustHost) => string[];
  trust?: (host: TrustHost) => string[];
  attack?: (a: Attack) => "pushed" | void;
  /** The agent refuses to start at all (a configuration error): no refusal event. */
  noEvent?: boolean;
  storeUnsigned?: boolean;
}

const FUTURE = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
const PAST = new Date(Date.now() - 3600_000).toISOString();
const APP = "hello";
const REL2 = `${APP}/releases/2`;

/** A signed release-2 manifest with `change` applied and a fresh signed current record binding it. */
function forgeTwo(change: (m: Record<string, unknown>) => void, keys?: PrivateKey[]) {
  return (a: Attack): void => {
    const payload = structuredClone(a.manifestTwo()) as unknown as Record<string, unknown>;
    change(payload);
    const manifest = a.writeManifest(2, payload, keys);
    a.writeRecord({ manifest }, keys);
  };
}

function firstTarget(m: Record<string, unknown>): Record<string, unknown> {
  return (m.targets as Record<string, unknown>[])[0]!;
}

function firstFile(m: Record<string, unknown>): Record<string, unknown> {
  return (firstTarget(m).files as Record<string, unknown>[])[0]!;
}

const CASES: HostileCase[] = [
  {
    name: "a release stored without a key while the agent requires signatures",
    code: "ERR_SKIFF_UNSIGNED",
    // The signed record removed by hand, then a real skiff store without --key: a plain manifest and current.
    storeUnsigned: true,
  },
  {
    name: "tampered manifest (boot args changed) under the signed record",
    code: "ERR_SKIFF_CHECKSUM_MISMATCH",
    attack: (a) => {
      const envelope = JSON.parse(
        readFileSync(join(a.work, REL2, "manifest.json"), "utf8"),
      ) as SignedEnvelope<ReleaseManifest>;
      envelope.signed.targets[0]!.args = ["--evil"];
      a.writeRaw(join(REL2, "manifest.json"), encodeEnvelope(envelope));
    },
  },
  {
    name: "tampered manifest re-bound by a signed record: its own signature no longer matches",
    code: "ERR_SKIFF_SIGNATURE_INVALID",
    attack: (a) => {
      const envelope = JSON.parse(
        readFileSync(join(a.work, REL2, "manifest.json"), "utf8"),
      ) as SignedEnvelope<ReleaseManifest>;
      envelope.signed.targets[0]!.args = ["--evil"];
      const bytes = a.writeRaw(join(REL2, "manifest.json"), encodeEnvelope(envelope));
      a.writeRecord({ manifest: bytes });
    },
  },
  {
    name: "tampered artifact (another gzip of another size)",
    code: "ERR_SKIFF_SIZE_MISMATCH",
    attack: (a) => void a.writeRaw(join(REL2, "hello.gz"), gzipSync("#!/bin/sh\necho pwned\n")),
  },
  {
    name: "tampered artifact bytes with the signed stored size (gzip header broken)",
    code: "ERR_SKIFF_ARTIFACT_CORRUPT",
    attack: (a) => {
      const bytes = readFileSync(join(a.work, REL2, "hello.gz"));
      bytes[0] = 0x00;
      a.writeRaw(join(REL2, "hello.gz"), bytes);
    },
  },
  {
    name: "manifest and record signed by a key this host does not trust",
    code: "ERR_SKIFF_UNTRUSTED_KEY",
    attack: (a) => forgeTwo(() => undefined, [loadPrivateKey(a.host.otherKey)])(a),
  },
  {
    name: "threshold 2 of two trusted keys, signed by one",
    code: "ERR_SKIFF_THRESHOLD_NOT_MET",
    trust: (h) => ["--trust", h.pub, "--trust", h.secondPub, "--threshold", "2"],
  },
  {
    name: "duplicate signatures by one key do not meet a threshold of 2",
    code: "ERR_SKIFF_THRESHOLD_NOT_MET",
    trust: (h) => ["--trust", h.pub, "--trust", h.secondPub, "--threshold", "2"],
    attack: (a) => forgeTwo(() => undefined, [a.key, a.key])(a),
  },
  {
    name: "one trusted key given twice cannot meet threshold 2 (configuration refused)",
    code: "ERR_SKIFF_USAGE",
    trust: (h) => ["--trust", h.pub, "--trust", h.pub, "--threshold", "2"],
    noEvent: true,
  },
  {
    name: "replayed older signed record (sequence 2 after 3 was accepted)",
    code: "ERR_SKIFF_ROLLBACK_ATTACK",
    attack: (a) => {
      for (const file of ["current", "current.json", "sequence"]) {
        writeFileSync(
          join(a.work, APP, file),
          gitSync(a.work, ["show", `${a.storedTwo}:${APP}/${file}`]) + "\n",
        );
      }
    },
  },
  {
    name: "rewound git history (main forced back to an older commit)",
    code: "ERR_SKIFF_ROLLBACK_ATTACK",
    attack: (a) => {
      gitSync(a.work, ["push", "--quiet", "--force", "origin", `${a.storedTwo}:refs/heads/main`]);
      return "pushed";
    },
  },
  {
    name: "the accepted sequence reused for another release",
    code: "ERR_SKIFF_ROLLBACK_ATTACK",
    attack: (a) =>
      a.writeRecord({ manifest: readFileSync(join(a.work, REL2, "manifest.json")), sequence: 3 }),
  },
  {
    name: "expired manifest (validly signed)",
    code: "ERR_SKIFF_EXPIRED",
    attack: forgeTwo((m) => (m.expires = PAST)),
  },
  {
    name: "expired pointer record",
    code: "ERR_SKIFF_EXPIRED",
    attack: (a) =>
      a.writeRecord({ manifest: readFileSync(join(a.work, REL2, "manifest.json")), expires: PAST }),
  },
  {
    name: "oversized manifest (2 MiB)",
    code: "ERR_SKIFF_MANIFEST_TOO_LARGE",
    attack: (a) => {
      const bytes = a.writeRaw(join(REL2, "manifest.json"), " ".repeat(2 * 1024 * 1024) + "{}");
      a.writeRecord({ manifest: bytes });
    },
  },
  {
    name: "oversized pointer record (100 KiB)",
    code: "ERR_SKIFF_CURRENT_INVALID",
    attack: (a) => void a.writeRaw(join(APP, "current.json"), `{"signed": "${"x".repeat(100 * 1024)}"}`),
  },
  {
    name: "artifact longer than its signed size",
    code: "ERR_SKIFF_SIZE_MISMATCH",
    attack: forgeTwo((m) => (firstFile(m).size = (firstFile(m).size as number) - 1)),
  },
  {
    name: "path traversal in an artifact name",
    code: "ERR_SKIFF_PATH_ESCAPE",
    attack: forgeTwo((m) => (firstFile(m).name = "../../../tmp/evil")),
  },
  {
    name: "absolute path as an artifact name",
    code: "ERR_SKIFF_PATH_ESCAPE",
    attack: forgeTwo((m) => (firstFile(m).name = "/etc/passwd")),
  },
  {
    name: "path traversal in a stored file name",
    code: "ERR_SKIFF_PATH_ESCAPE",
    attack: forgeTwo((m) => (firstFile(m).stored = "../1/hello.gz")),
  },
  {
    name: "path traversal in current",
    code: "ERR_SKIFF_CURRENT_INVALID",
    attack: (a) => void a.writeRaw(join(APP, "current"), "../releases/2\n"),
  },
  {
    name: "symlink out of the repository in place of an artifact",
    code: "ERR_SKIFF_ARTIFACT_CORRUPT",
    attack: (a) => {
      rmSync(join(a.work, REL2, "hello.gz"));
      symlinkSync("/etc/passwd", join(a.work, REL2, "hello.gz"));
    },
  },
  {
    name: "symlink in place of manifest.json",
    code: "ERR_SKIFF_PATH_ESCAPE",
    attack: (a) => {
      rmSync(join(a.work, REL2, "manifest.json"));
      symlinkSync("../1/manifest.json", join(a.work, REL2, "manifest.json"));
    },
  },
  {
    name: "symlink in place of current.json",
    code: "ERR_SKIFF_PATH_ESCAPE",
    attack: (a) => {
      rmSync(join(a.work, APP, "current.json"));
      symlinkSync("/etc/hostname", join(a.work, APP, "current.json"));
    },
  },
  {
    name: "truncated gzip (signed with its truncated size)",
    code: "ERR_SKIFF_ARTIFACT_CORRUPT",
    attack: (a) => {
      const bytes = readFileSync(join(a.work, REL2, "hello.gz"));
      const cut = a.writeRaw(join(REL2, "hello.gz"), bytes.subarray(0, bytes.length - 12));
      forgeTwo((m) => (firstFile(m).storedSize = cut.length))(a);
    },
  },
  {
    name: "unknown manifest version",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: forgeTwo((m) => (m.version = 2)),
  },
  {
    name: "a newer major manifest version (validly signed)",
    code: "ERR_SKIFF_MANIFEST_VERSION",
    attack: forgeTwo((m) => (m.version = "3.0")),
  },
  {
    name: "an unknown core field (validly signed, a minor version later)",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: forgeTwo((m) => {
      m.version = "2.9";
      (m.deploy as Record<string, unknown>).privileged = true;
    }),
  },
  {
    name: "an extension added after signing, re-bound by a signed record",
    code: "ERR_SKIFF_SIGNATURE_INVALID",
    attack: (a) => {
      const envelope = JSON.parse(
        readFileSync(join(a.work, REL2, "manifest.json"), "utf8"),
      ) as SignedEnvelope<Record<string, unknown>>;
      envelope.signed.extensions = { "evil.boot": { args: ["--evil"] } };
      a.writeRecord({ manifest: a.writeRaw(join(REL2, "manifest.json"), encodeEnvelope(envelope)) });
    },
  },
  {
    name: "too many targets (17)",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: forgeTwo((m) => {
      const target = firstTarget(m);
      m.targets = Array.from({ length: 17 }, (_, i) => ({ ...target, target: `t${i}` }));
    }),
  },
  {
    name: "path traversal in a second target's file",
    code: "ERR_SKIFF_PATH_ESCAPE",
    attack: forgeTwo((m) => {
      const target = firstTarget(m);
      const file = firstFile(m);
      m.targets = [target, { ...target, target: "spt", files: [{ ...file, name: "../../evil" }] }];
    }),
  },
  {
    name: "pointer record signed for another app",
    code: "ERR_SKIFF_CURRENT_INVALID",
    attack: (a) =>
      a.writeRecord({ manifest: readFileSync(join(a.work, REL2, "manifest.json")), app: "other" }),
  },
  {
    name: "the staging record copied over current",
    code: "ERR_SKIFF_CURRENT_INVALID",
    attack: (a) =>
      a.writeRecord({ manifest: readFileSync(join(a.work, REL2, "manifest.json")), pointer: "staging" }),
  },
  {
    name: "release 1's manifest copied into release 2's folder",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: (a) => {
      const bytes = a.writeRaw(
        join(REL2, "manifest.json"),
        readFileSync(join(a.work, APP, "releases/1/manifest.json")),
      );
      a.writeRecord({ manifest: bytes });
    },
  },
  {
    name: "a manifest signed for another app in this app's folder",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: forgeTwo((m) => (m.app = "other")),
  },
  {
    name: "mix-and-match: the record binds another manifest than the one in the folder",
    code: "ERR_SKIFF_CHECKSUM_MISMATCH",
    attack: (a) => a.writeRecord({ manifest: readFileSync(join(a.work, APP, "releases/1/manifest.json")) }),
  },
  {
    name: "non-UTF-8 manifest",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: (a) => {
      const bytes = a.writeRaw(
        join(REL2, "manifest.json"),
        Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      );
      a.writeRecord({ manifest: bytes });
    },
  },
  {
    name: "deeply nested JSON (100 000 levels)",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: (a) => {
      const deep = `{"signed":${"[".repeat(100_000)}${"]".repeat(100_000)},"signatures":[]}`;
      a.writeRecord({ manifest: a.writeRaw(join(REL2, "manifest.json"), deep) });
    },
  },
  {
    name: "huge file count (1000 artifacts)",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: forgeTwo((m) => {
      const file = firstFile(m);
      firstTarget(m).files = Array.from({ length: 1000 }, (_, i) => ({
        ...file,
        name: `f${i}`,
        stored: `f${i}.gz`,
      }));
    }),
  },
  {
    name: "negative artifact size",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: forgeTwo((m) => (firstFile(m).size = -1)),
  },
  {
    name: "unknown field in the signed envelope",
    code: "ERR_SKIFF_MANIFEST_INVALID",
    attack: (a) => {
      const envelope = JSON.parse(readFileSync(join(a.work, REL2, "manifest.json"), "utf8")) as Record<
        string,
        unknown
      >;
      envelope.trustMe = true;
      a.writeRecord({ manifest: a.writeRaw(join(REL2, "manifest.json"), JSON.stringify(envelope)) });
    },
  },
  {
    name: "manifest with its signatures stripped",
    code: "ERR_SKIFF_UNSIGNED",
    attack: (a) => {
      const manifest = a.writeManifest(2, a.manifestTwo(), []);
      a.writeRecord({ manifest });
    },
  },
  {
    name: "plain current moved without a signed record",
    code: "ERR_SKIFF_UNSIGNED",
    attack: (a) => rmSync(join(a.work, APP, "current.json")),
  },
  {
    name: "pointer record naming a release that does not exist",
    code: "ERR_SKIFF_NO_SUCH_RELEASE",
    attack: (a) => {
      a.writeRecord({ manifest: readFileSync(join(a.work, REL2, "manifest.json")), release: 9 });
    },
  },
  {
    name: "pointer record that is not JSON",
    code: "ERR_SKIFF_CURRENT_INVALID",
    attack: (a) => void a.writeRaw(join(APP, "current.json"), "not json at all"),
  },
  {
    name: "pointer record whose payload was changed after signing",
    code: "ERR_SKIFF_SIGNATURE_INVALID",
    attack: (a) => {
      const path = join(APP, "current.json");
      a.writeRecord({ manifest: readFileSync(join(a.work, REL2, "manifest.json")) });
      const envelope = JSON.parse(readFileSync(join(a.work, path), "utf8")) as {
        signed: { sequence: number };
      };
      envelope.signed.sequence = 99;
      a.writeRaw(path, JSON.stringify(envelope));
    },
  },
  {
    name: "a secret sealed for another host",
    code: "ERR_SKIFF_SECRET_DECRYPT",
    agentArgs: (h) => ["--host-key", h.hostKey],
    attack: (a) =>
      forgeTwo((m) => {
        const hostPublicKey = loadPublicKey(a.host.otherHostPub, "x25519");
        (m.deploy as { env: Record<string, string> }).env = {
          API_TOKEN: sealSecret("s3cr3t-token", { name: "API_TOKEN", hostPublicKey }),
        };
      })(a),
  },
  {
    name: "the agent started without --trust on a data dir that required it",
    code: "ERR_SKIFF_TRUST_DOWNGRADE",
    trust: () => [],
    noEvent: true,
  },
];

// At the top level: its temp dirs live until the end of the file, not the end of a hook.
const host: TrustHost = await makeTrustHost();

describe("hostile inputs: each refused with its code, the running instance untouched", () => {
  let running: RunningInstance;
  let storedTwo: string;

  before(async () => {
    const sign = ["--key", host.key, "--expires", "30d"];
    await buildAndStore(host, { version: "v1", storeArgs: sign });
    await skiffOk(["agent", "--repo", host.repo, "--data", host.data, "--once", "--trust", host.pub]);
    running = runningInstance(host.data);
    await buildAndStore(host, { version: "v2", storeArgs: sign });
    storedTwo = gitSync(host.repo, ["rev-parse", "main"]);
    // A signed rollback to 1 (sequence 3), accepted by the agent without a redeploy.
    await skiffOk(["rollback", APP, "--repo", host.repo, "--to", "1", "--key", host.key, "--expires", "30d"]);
    await skiffOk(["agent", "--repo", host.repo, "--data", host.data, "--once", "--trust", host.pub]);
    assert.equal(runningInstance(host.data).pid, running.pid);
    // The legitimate next step the attacks build on: roll forward to 2 (sequence 4), not yet seen by the agent.
    await skiffOk(["rollback", APP, "--repo", host.repo, "--to", "2", "--key", host.key, "--expires", "30d"]);
  });

  assert.ok(CASES.length >= 30);
  for (const [index, hostile] of CASES.entries()) {
    it(`${index + 1}. ${hostile.name} → ${hostile.code}`, async () => {
      const copy = copyHost(host.repo, host.data);
      if (hostile.storeUnsigned) {
        // skiff store refuses an unsigned change in a signed app, so the attacker first deletes the signed record.
        attackRepo(copy.repo, (work) => rmSync(join(work, APP, "current.json")));
        await skiffOk(["store", "--to", copy.repo, "--dir", host.appDir]);
      }
      if (hostile.attack) attackRepo(copy.repo, (work) => hostile.attack!(makeAttack(work, host, storedTwo)));
      const trust = hostile.trust ? hostile.trust(host) : ["--trust", host.pub];
      const run = await runAgent(copy.repo, copy.data, [
        ...trust,
        "--notify",
        `file:${copy.notify}`,
        ...(hostile.agentArgs ? hostile.agentArgs(host) : []),
      ]);
      assert.notEqual(run.code, 0, `the agent accepted it: ${run.stdout}`);
      if (hostile.noEvent) {
        assert.match(run.stderr, new RegExp(hostile.code));
      } else {
        const refused = refusals(copy.data);
        assert.deepEqual(
          refused.map((event) => event.error?.code),
          [hostile.code],
          JSON.stringify(refused.map((e) => e.error?.message)),
        );
        assert.deepEqual(
          notifications(copy.notify).map((event) => [event.type, event.error?.code]),
          [["release.refused", hostile.code]],
        );
        assert.equal(lastRefusalCode(copy.data), hostile.code);
        const status = await skiffOk(["status", "--data", copy.data, "--json"]);
        const rows = JSON.parse(status.stdout) as {
          app: string;
          lastRefusal?: { error: { code: string } };
        }[];
        assert.equal(rows.find((row) => row.app === APP)?.lastRefusal?.error.code, hostile.code);
      }
      await assertUntouched(copy.data, running, "v1 hello");
    });
  }

  // Last, on the original host (its proxy owns the public port): every refusal above was the attack's doing.
  it("control: the same repository without an attack deploys release 2", async () => {
    const run = await runSkiff([
      "agent",
      "--repo",
      host.repo,
      "--data",
      host.data,
      "--once",
      "--json",
      "--trust",
      host.pub,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(runningInstance(host.data).release, 2);
    assert.deepEqual(refusals(host.data), []);
  });
});

function makeAttack(work: string, host: TrustHost, storedTwo: string): Attack {
  const key = loadPrivateKey(host.key);
  const writeRaw = (path: string, bytes: Buffer | string): Buffer => {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8");
    rmSync(join(work, path), { force: true });
    writeFileSync(join(work, path), buffer);
    return buffer;
  };
  return {
    work,
    host,
    key,
    storedTwo,
    manifestTwo: () =>
      (JSON.parse(readFileSync(join(work, REL2, "manifest.json"), "utf8")) as SignedEnvelope<ReleaseManifest>)
        .signed,
    writeRaw,
    // Signing arbitrary payloads (not through the schema): a trusted signer's mistakes are refused too.
    writeManifest: (release, payload, keys = [key]) =>
      writeRaw(
        join(APP, "releases", String(release), "manifest.json"),
        encodeEnvelope(signRaw(payload, keys)),
      ),
    writeRecord: (fields, keys = [key]) => {
      const record = {
        app: fields.app ?? APP,
        pointer: fields.pointer ?? "current",
        release: fields.release ?? 2,
        sequence: fields.sequence ?? 5,
        manifestSha256: sha256Hex(fields.manifest),
        expires: fields.expires ?? FUTURE,
        created: new Date().toISOString(),
      };
      writeRaw(join(APP, "current.json"), encodeEnvelope(signRaw(record, keys)));
      writeRaw(join(APP, "current"), `${record.release}\n`);
    },
  };
}

function signRaw(payload: unknown, keys: readonly PrivateKey[]): SignedEnvelope<unknown> {
  // canonicalJson refuses what JSON cannot hold; check it here so a broken case fails loudly.
  canonicalJson(payload);
  return signEnvelope(payload, keys);
}
