import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ManifestSchema,
  chooseTarget,
  readSignedManifest,
  signManifest,
  targetView,
  type ReleaseManifest,
} from "../../src/store/index.js";
import { encodeEnvelope, signEnvelope, type TrustPolicy } from "../../src/trust/index.js";
import { FIXTURES } from "../support/paths.js";
import { bytesOf, makeKey, makeManifest, refusal } from "../trust/trust-fixtures.js";

const V1 = join(FIXTURES, "manifests", "v1");

/** A v1 fixture's manifest.json bytes and its payload. */
function v1Fixture(path: string): { bytes: Buffer; payload: Record<string, unknown> } {
  const bytes = readFileSync(join(V1, path));
  const value = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  return { bytes, payload: (value.signed ?? value) as Record<string, unknown> };
}

const file = makeManifest().targets[0]!.files[0]!;
/** Two targets in matrix order: unix, then virtio (qemu). */
const twoTargets = makeManifest({
  targets: [
    {
      target: "unix",
      driver: "unix",
      args: [],
      memory: "128M",
      files: [{ ...file, stored: "unix.hello.gz" }],
    },
    {
      target: "virtio",
      driver: "qemu",
      args: ["--ipv4=10.0.0.2/24"],
      memory: "256M",
      qemu: { accel: "tcg" },
      files: [{ ...file, name: "kernel", stored: "virtio.kernel.gz" }],
    },
  ],
});
const hostWith =
  (...drivers: string[]) =>
  (driver: string) =>
    drivers.includes(driver) ? { available: true } : { available: false, reason: `no ${driver} here` };

describe("the manifest format: versions, extensions, targets", () => {
  const key = makeKey();
  const trust: TrustPolicy = { trusted: [key.publicKey], threshold: 1 };
  const signed = (payload: unknown): Buffer =>
    Buffer.from(encodeEnvelope(signEnvelope(payload, [key.privateKey])));

  it("accepts any 2.x minor and keeps extensions it does not know, signed with the rest", () => {
    const newer = { ...makeManifest(), version: "2.7", extensions: { "acme.audit": { ticket: 42 } } };
    const read = readSignedManifest(signed(newer), { trust });
    assert.equal(read.version, "2.7");
    assert.deepEqual(read.extensions, { "acme.audit": { ticket: 42 } });
    // The signature covers the extensions: changing one is tampering.
    const envelope = JSON.parse(signed(newer).toString()) as { signed: ReleaseManifest };
    envelope.signed.extensions = { "acme.audit": { ticket: 43 } };
    assert.equal(
      refusal(() => readSignedManifest(bytesOf(envelope), { trust })).code,
      "ERR_SKIFF_SIGNATURE_INVALID",
    );
    // Signing keeps them (resign and config:set carry them over).
    assert.deepEqual(signManifest(read, [key.privateKey]).signed.extensions, {
      "acme.audit": { ticket: 42 },
    });
  });

  it("refuses an unknown core field, at the top, in deploy or in a target, naming where", () => {
    const base = makeManifest() as unknown as Record<string, unknown>;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, privileged: true }, "top level"],
      [{ ...base, deploy: { ...(base.deploy as object), privileged: true } }, "deploy"],
      [{ ...base, targets: [{ ...(base.targets as object[])[0]!, privileged: true }] }, "targets.0"],
    ];
    for (const [payload, where] of cases) {
      const error = refusal(() => readSignedManifest(signed(payload), { trust }));
      assert.equal(error.code, "ERR_SKIFF_MANIFEST_INVALID");
      assert.ok(error.message.includes(`at ${where}`), error.message);
    }
    const badName = { ...base, extensions: { NotDotted: 1 } };
    assert.equal(refusal(() => readSignedManifest(bytesOf(badName))).code, "ERR_SKIFF_MANIFEST_INVALID");
  });

  it("refuses a newer major version with ERR_SKIFF_MANIFEST_VERSION and says to upgrade skiff", () => {
    const error = refusal(() => readSignedManifest(signed({ ...makeManifest(), version: "3.0" }), { trust }));
    assert.equal(error.code, "ERR_SKIFF_MANIFEST_VERSION");
    assert.match(error.message, /version 3\.0, newer than this skiff reads/);
    assert.match(error.hint ?? "", /upgrade skiff on this host/);
    for (const version of ["1.0", "2", "two", 2.1, null]) {
      const payload = { ...makeManifest(), version };
      assert.equal(refusal(() => readSignedManifest(bytesOf(payload))).code, "ERR_SKIFF_MANIFEST_INVALID");
    }
  });

  it("refuses two targets of one name, and two files of one name in a target", () => {
    const target = twoTargets.targets[0]!;
    const sameName = { ...twoTargets, targets: [target, { ...twoTargets.targets[1]!, target: "unix" }] };
    assert.equal(refusal(() => readSignedManifest(bytesOf(sameName))).code, "ERR_SKIFF_MANIFEST_INVALID");
    const sameFile = { ...twoTargets, targets: [{ ...target, files: [file, { ...file, stored: "x.gz" }] }] };
    assert.equal(refusal(() => readSignedManifest(bytesOf(sameFile))).code, "ERR_SKIFF_MANIFEST_INVALID");
  });

  it("reads every v1 fixture, and the agent's view of it is the v1 manifest itself (nothing lost)", () => {
    const paths = [
      "hello-plain/hello/releases/1/manifest.json",
      "hello-plain/hello/releases/2/manifest.json",
      "hello-signed/hello/releases/2/manifest.json",
      "hello-early/hello/releases/1/manifest.json",
      "full/full/releases/1/manifest.json",
    ];
    for (const path of paths) {
      const { bytes, payload } = v1Fixture(path);
      const release = readSignedManifest(bytes);
      assert.equal(release.targets.length, 1, path);
      // The view keeps v1's shape: parsing the v1 payload as a view fills what early v1 lacked.
      assert.deepEqual(targetView(release, release.targets[0]!), ManifestSchema.parse(payload), path);
    }
    const early = readSignedManifest(v1Fixture("hello-early/hello/releases/1/manifest.json").bytes);
    assert.deepEqual(early.deploy.scale, {
      min: 1,
      max: 1,
      idle: "60s",
      concurrency: 20,
      wake_timeout: "10s",
    });
  });

  it("keeps refusing what version 1 refused: an unknown deploy key in a v1 manifest", () => {
    const { payload } = v1Fixture("hello-plain/hello/releases/1/manifest.json");
    const unknown = { ...payload, deploy: { ...(payload.deploy as object), privileged: true } };
    assert.equal(refusal(() => readSignedManifest(bytesOf(unknown))).code, "ERR_SKIFF_MANIFEST_INVALID");
  });
});

describe("chooseTarget: the target a host runs", () => {
  it("takes the first target in the matrix's order that the host's drivers run", () => {
    assert.equal(chooseTarget(twoTargets, { support: hostWith("unix", "qemu") }).target, "unix");
    const qemuHost = chooseTarget(twoTargets, { support: hostWith("qemu") });
    assert.deepEqual(
      [qemuHost.target, qemuHost.driver, qemuHost.deploy.args, qemuHost.deploy.memory, qemuHost.deploy.qemu],
      ["virtio", "qemu", ["--ipv4=10.0.0.2/24"], "256M", { accel: "tcg" }],
    );
    assert.deepEqual(
      qemuHost.files.map((f) => f.stored),
      ["virtio.kernel.gz"],
      "only the chosen target's files",
    );
  });

  it("--targets chooses among the release's targets, in the operator's order", () => {
    const preferred = chooseTarget(twoTargets, {
      support: hostWith("unix", "qemu"),
      targets: ["virtio", "unix"],
    });
    assert.equal(preferred.target, "virtio");
    assert.equal(
      chooseTarget(twoTargets, { support: hostWith("unix"), targets: ["virtio", "unix"] }).target,
      "unix",
    );
  });

  it("refuses with ERR_SKIFF_TARGET_UNSUPPORTED listing every target and why", () => {
    const none = refusal(() => chooseTarget(twoTargets, { support: hostWith("xen") }));
    assert.equal(none.code, "ERR_SKIFF_TARGET_UNSUPPORTED");
    assert.match(none.message, /unix \(driver unix: no unix here\), virtio \(driver qemu: no qemu here\)/);
    const wanted = refusal(() =>
      chooseTarget(twoTargets, { support: hostWith("unix"), targets: ["virtio"] }),
    );
    assert.match(wanted.message, /unix \(not in --targets virtio\)/);
    assert.match(wanted.hint ?? "", /--targets virtio names none this host can run/);
  });

  it("skips a target whose driver this skiff does not have (a newer minor), and runs the next", () => {
    const future = {
      ...twoTargets,
      version: "2.3",
      targets: [{ ...twoTargets.targets[1]!, target: "fc", driver: "firecracker" }, twoTargets.targets[0]!],
    };
    const release = readSignedManifest(bytesOf(future));
    assert.equal(chooseTarget(release, { support: hostWith("unix", "firecracker") }).target, "unix");
    const only = { ...release, targets: [release.targets[0]!] };
    const error = refusal(() => chooseTarget(only, { support: hostWith("firecracker") }));
    assert.match(error.message, /this skiff has no driver firecracker/);
  });
});
