/**
 * Node flags for skiff's long-running processes (agent, server, front door): a 1 MiB young
 * generation instead of 16 MiB, so an idle control process keeps its heap small. It cost no
 * measurable CPU (docs/decisions.md, "A small young generation"); bench:scale's density shows the RSS.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=1"];
