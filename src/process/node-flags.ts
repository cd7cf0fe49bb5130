/**
 * Node flags for skiff's long-running processes (agent, server, front door): a 1 MiB young
 * generation instead of 16 MiB, and an old generation collected once it grew by half since the
 * last full collection (V8's own factor goes up to 4× when collections are cheap, as a control
 * process's are: the agent's 16 MiB of live heap sat in 65–80 MiB). So an idle control process
 * keeps its heap small; neither cost measurable CPU (docs/decisions.md, "skiff's long-running node
 * processes keep a small heap"); bench:scale's density shows the RSS.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=1", "--heap-growing-percent=50"];
