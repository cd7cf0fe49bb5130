export { createApiClient, type ApiClient } from "./api-client.js";
export { readEventStream, type StreamedEvent } from "./read-event-stream.js";
export { findRemote, requireRemote, normalizeServerUrl, type Remote } from "./remote.js";
export {
  credentialsPath,
  readCredentials,
  writeCredentials,
  saveLogin,
  forgetLogin,
  type Credentials,
} from "./credentials.js";
