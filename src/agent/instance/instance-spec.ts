import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseMemoryMiB } from "../../config/index.js";
import type { InstanceSpec } from "../../drivers/index.js";
import type { Manifest } from "../../store/index.js";
import type { PreparedRelease } from "./release-files.js";
import { openBootEnv } from "../secrets/index.js";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `<app>-<N>-<4 random chars>`: unique per start, readable in ps, VM and domain names. */
export function createInstanceId(app: string, release: number): string {
  const suffix = Array.from(randomBytes(4), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
  return `${app}-${release}-${suffix}`;
}

/** Placeholders in boot arguments: {port} is the port the unikernel listens on (see listeningPort). */
export function substituteArgs(args: readonly string[], values: { port: number }): string[] {
  return args.map((arg) => arg.replaceAll("{port}", String(values.port)));
}

/**
 * The port an instance listens on: the host port when it serves at 127.0.0.1:<host port> itself
 * (a unix process, a solo5 guest without deploy.solo5.address), else deploy.port inside its VM
 * (qemu forwards the host port to it; xen and addressed solo5 guests have their own address).
 */
export function listeningPort(manifest: Manifest, hostPort: number): number {
  if (manifest.driver === "unix") return hostPort;
  const solo5 = manifest.driver === "solo5-hvt" || manifest.driver === "solo5-spt";
  if (solo5 && manifest.deploy.solo5?.address === undefined) return hostPort;
  return manifest.deploy.port;
}

/** The spec for one new instance of a prepared release; creates <data>/instances/<id>/. */
export function buildInstanceSpec(options: {
  data: string;
  prepared: PreparedRelease;
  hostPort: number;
}): InstanceSpec {
  const { manifest } = options.prepared;
  const id = createInstanceId(manifest.app, manifest.release);
  const dir = join(options.data, "instances", id);
  mkdirSync(dir, { recursive: true });
  const { qemu, xen, solo5 } = manifest.deploy;
  return {
    id,
    app: manifest.app,
    release: manifest.release,
    files: options.prepared.files,
    args: substituteArgs(manifest.deploy.args, { port: listeningPort(manifest, options.hostPort) }),
    // Sealed values are opened here, just before boot, with the agent's host key.
    env: openBootEnv(options.data, manifest.deploy.env),
    memoryMiB: parseMemoryMiB(manifest.deploy.memory),
    guestPort: manifest.deploy.port,
    hostPort: options.hostPort,
    dir,
    options: { ...(qemu ? { qemu } : {}), ...(xen ? { xen } : {}), ...(solo5 ? { solo5 } : {}) },
  };
}
