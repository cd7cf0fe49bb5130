export { parseAddress, formatAddress, sameAddress, type Address } from "./address.js";
export { startTcpProxy, type TcpProxy, type TcpProxyOptions } from "./tcp-proxy.js";
export type { DrainResult } from "./connection-table.js";
export { ensureProxy, stopProxy, type EnsureProxyOptions } from "./ensure-proxy.js";
export { connectProxy, type ProxyClient } from "./control-client.js";
export { readProxyRecord, controlSocketPath, proxyLogPath, type ProxyRecord } from "./proxy-files.js";
export type { ProxyStatus } from "./control-schema.js";
export * from "./front/index.js";
