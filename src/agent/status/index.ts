// What runs on this host, as `skiff status` shows it: read from state and asked of the drivers.
// Light on purpose (state/light.js, no agent loop): the CLI's status loads it through agent/light.js.
export { readStatus, type AppStatus, type InstanceRow } from "./read-status.js";
