export { openAppFront, closeAppFront, appFrontDir, findFreePort, type AppFront } from "./app-front.js";
