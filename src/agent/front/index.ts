export { openAppFront, closeAppFront, appFrontDir, findFreePort, type AppFront } from "./app-front.js";
export {
  configureFrontDoor,
  frontDoorOf,
  runningFrontDoor,
  frontListenOf,
  type FrontSettings,
} from "./front-door-of.js";
export { watchFrontDoor, type WatchFrontDoorOptions } from "./watch-front-door.js";
