// The agent's light front door: what `skiff status` needs, without the loop, swaps, fleet or
// front door (index.ts loads all of them). eslint lets other parts import light.js beside index.js.
export { readStatus, type AppStatus, type InstanceRow } from "./status/index.js";
