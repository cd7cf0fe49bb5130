export {
  BootSecrets,
  registerBootSecrets,
  unregisterBootSecrets,
  bootSecretsFor,
  openBootEnv,
  redactForDataDir,
  createRedactingSink,
} from "./boot-secrets.js";
