import type { OptionKind } from "./service-argv.js";

export interface ServiceKind {
  description: string;
  /** The unit's default name. */
  unitName: string;
  /** The option naming the data dir (given always, absolute, even when left to its default). */
  dataFlag: string;
  kinds: Readonly<Record<string, OptionKind>>;
  refused: readonly string[];
  stopSec: number;
}

/** What `skiff agent install` and `skiff server install` know of their command's options. */
export const SERVICE_KINDS: Readonly<Record<"agent" | "server", ServiceKind>> = {
  agent: {
    description: "skiff agent",
    unitName: "skiff-agent",
    dataFlag: "--data",
    kinds: {
      "--repo": "location",
      "--data": "path",
      "--repo-token-file": "path",
      "--notify": "url",
      "--notify-secret-file": "path",
      "--trust": "file-or-text",
      "--host-key": "path",
      "--key": "path",
      "--solo5-block": "assignment-path",
      "--webhook-secret-file": "path",
    },
    refused: ["--once", "--dry-run", "--json"],
    stopSec: 30,
  },
  server: {
    description: "skiff server",
    unitName: "skiff-server",
    dataFlag: "--data",
    kinds: { "--data": "path", "--webhook-secret-file": "path", "--follower": "url" },
    refused: ["--json"],
    // A stopping server lets pushes past their commit point land for up to 20 s.
    stopSec: 40,
  },
};
