export { openAppFront, closeAppFront, appFrontDir, type AppFront } from "./app-front.js";
export { findFreePort } from "./free-port.js";
export {
  configureFrontDoor,
  frontDoorOf,
  runningFrontDoor,
  frontListenOf,
  type FrontSettings,
} from "./front-door-of.js";
export { watchFrontDoor, type WatchFrontDoorOptions } from "./watch-front-door.js";
