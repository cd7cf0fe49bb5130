export { parseAddress, formatAddress, sameAddress, type Address } from "./address.js";
export { startTcpProxy, type TcpProxy, type TcpProxyOptions, type DrainResult } from "./tcp-proxy.js";
export { ensureProxy, stopProxy, type EnsureProxyOptions } from "./ensure-proxy.js";
export { connectProxy, type ProxyClient } from "./control-client.js";
export { readProxyRecord, controlSocketPath, proxyLogPath, type ProxyRecord } from "./proxy-files.js";
export type { ProxyStatus } from "./control-schema.js";
