import type { Command } from "commander";
import { lazyAction } from "../lazy-action.js";
import { addInstallCommand } from "./install.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerAgentCommands(program: Command): void {
  const agent = program
    .command("agent")
    .description("Follow a deployment repository and run, on this host, the release each app's current names")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .requiredOption("--data <dir>", "this host's data dir (state, events, unpacked releases, instance logs)")
    .option("--poll <duration>", "how often to fetch the deployment repository", "30s")
    .option("--once", "one reconcile pass, then exit (instances keep running)")
    .option("--dry-run", "fetch and print the plan; change nothing")
    .option(
      "--notify <url>",
      "POST deploy outcomes: http(s) URL (signed JSON), slack+https://… or hooks.slack.com (Slack blocks), file:/path (JSON lines); #events=deploy.*,… picks the event types; repeatable",
      collect,
      [],
    )
    .option("--notify-timeout <duration>", "give up on one notification attempt after this long", "5s")
    .option("--notify-retry <duration>", "retry a notification that failed for this long", "5m")
    .option(
      "--notify-secret-file <file>",
      "sign webhook notifications with the secret in this file (Skiff-Signature; default $SKIFF_NOTIFY_SECRET)",
    )
    .option("--follow <pointer>", "deploy current (production) or staging", "current")
    .option("--host <name>", "this host's name in events and notifications")
    .option(
      "--trust <key>",
      "deploy only releases signed by this public key (a .pub file or PEM text); repeatable",
      collect,
      [],
    )
    .option("--threshold <k>", "how many distinct --trust keys must sign (default 1)")
    .option(
      "--host-key <file>",
      "this host's x25519 key (skiff keys generate --host): opens sealed deploy.env values at boot",
    )
    .option(
      "--allow-unsigned",
      "start without --trust on a data dir that required it before (a deliberate downgrade)",
    )
    .option(
      "--stage <environment>",
      "staging: judge each release staging names (tests, load, network profiles) and promote it; production (default): deploy current",
      "production",
    )
    .option(
      "--key <file>",
      "--stage staging: sign the current record of each promotion with this key; repeatable",
      collect,
      [],
    )
    .option("--drivers <list>", "the drivers this host may run, comma-separated (default: all it can)")
    .option(
      "--targets <list>",
      "run only these targets of a release, in this order, comma-separated (default: the first one this host's drivers run)",
    )
    .option(
      "--solo5-net <NAME=TAP>",
      "give solo5 unikernels the net device NAME as tap TAP; repeatable",
      collect,
      [],
    )
    .option(
      "--solo5-block <NAME=FILE>",
      "give solo5 unikernels the block device NAME as disk image FILE; repeatable",
      collect,
      [],
    )
    .option(
      "--layout <layout>",
      "skiff, or mirage-2015: follow a 2015 MirageOS repository (xen/latest)",
      "skiff",
    )
    .option("--driver <name>", "mirage-2015: boot the kernel with xen (default), unix or qemu")
    .option("--app <name>", "mirage-2015: the app name on this host (default: the repository's name)")
    .option("--vm <name>", "mirage-2015: which xen/<id>/<vm>.xen.bz2 to run when there are several")
    .option("--branch <name>", "mirage-2015: the branch to follow (default master)")
    .option("--address <host[:port]>", "mirage-2015 with xen: where the guest serves on the bridge")
    .option("--port <n>", "mirage-2015: the port the unikernel serves on (deploy.port)")
    .option(
      "--front <host:port>",
      "the host's shared HTTP listener: requests are routed by Host header to each app's deploy.hostname",
    )
    .option("--front-index", "the 404 page of an unknown host lists the known apps' hostnames")
    .option("--listen <host:port>", "serve POST /hooks/git: a signed webhook triggers an immediate fetch")
    .option("--webhook-secret-file <file>", "with --listen: the shared secret webhooks are signed with")
    .option(
      "--fleet <urls>",
      "join a fleet through etcd (client URLs, comma-separated): rolling deploys, skiff fleet status",
    )
    .option("--fleet-prefix <prefix>", "with --fleet: the fleet's key prefix in etcd (default /skiff/v1/)")
    .option("--label <k=v>", "with --fleet: a label of this host (repeatable)", collect, [])
    .option("--fleet-ttl <seconds>", "with --fleet: a host that dies leaves the fleet within this long", "10")
    .option("--fleet-optional", "with --fleet: swap alone while etcd is unreachable (default: wait for it)")
    .option(
      "--repo-token-file <file>",
      "the token of an http(s) --repo (a skiff server's read-only token), read from this file",
    )
    .option("--json", "with --once or --dry-run: print the pass on stdout as JSON")
    .action(lazyAction(() => import("../actions/agent.js"), "runAgentCommand"));
  addInstallCommand(agent);

  program
    .command("status")
    .description("What runs on this host: app, release, pid, address, since, last deploy")
    .requiredOption("--data <dir>", "the agent's data dir, or a skiff server's (its agent: DIR/agent)")
    .option("--json", "print on stdout as JSON")
    .action(lazyAction(() => import("../actions/status.js"), "printStatus"));

  const hostCommand = (name: string, description: string): Command =>
    program
      .command(name)
      .description(description)
      .option(
        "--data <dir>",
        "this host's agent data dir, or a skiff server's (default: the server of skiff login)",
      )
      .option("-a, --app <app>", "the app (default: the one the current directory's skiff.yml names)")
      .option("--json", "against a server: print its answer as JSON");

  hostCommand(
    "stop [app]",
    "Stop an app's instance; the agent leaves it stopped until current changes or skiff start",
  ).action(lazyAction(() => import("../actions/operate.js"), "stopAppCommand"));

  hostCommand(
    "start [app]",
    "Undo skiff stop: the agent starts the app's current release on its next pass",
  ).action(lazyAction(() => import("../actions/operate.js"), "startAppCommand"));

  hostCommand("logs [app]", "The last lines of an app's instance log; --tail follows it across deploys")
    .option("-n, --lines <n>", "how many lines", "100")
    .option("--tail", "keep printing lines as the app prints them (Ctrl-C stops)")
    .option("--release <n>", "the log of that release's last instance, even a stopped one")
    .action(lazyAction(() => import("../actions/operate.js"), "printLogs"));
}
