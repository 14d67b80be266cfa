export { ManageSieveClient } from './client.js';
export type {
  ConnectOptions,
  ManageSieveClientOptions,
  ManageSieveResponse,
  ScriptInfo,
  TlsMode,
} from './types.js';
export { ManageSieveError, ManageSieveProtocolError } from './errors.js';
export { parseCapabilities } from './capabilities.js';
export type { ManageSieveCapabilities } from './capabilities.js';
export { encodeCommand, encodeString, parseLine, LineReader, DEFAULT_LIMITS } from './wire.js';
export type { Token, WireLimits, ParseResult } from './wire.js';
export { clientMechanism, plainClient, loginClient, scramSha256Client, oauthBearerClient } from './sasl.js';
export type { ClientMechanismName, ClientCredentials, SaslClientExchange } from './sasl.js';
