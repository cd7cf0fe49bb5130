export { renderUnit, quoteExecArg, type UnitInput } from "./unit-file.js";
export { planServiceArgv, type GivenOption, type OptionKind, type ServiceArgvInput } from "./service-argv.js";
export { SERVICE_KINDS, type ServiceKind } from "./service-kinds.js";
