export { createFleetPublisher, type FleetPublisherOptions } from "./fleet-publisher.js";
export { toHostAppStatus } from "./host-app-status.js";
export { joinFleet, type FleetJoinOptions, type JoinedFleet } from "./join-fleet.js";
