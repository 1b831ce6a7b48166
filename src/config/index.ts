// The public surface of `config/`: loading, validating, importing, diffing and watching fleet configs.

export { loadConfigFile, parseConfig } from './load.js';
export type { LoadOptions, ParseOptions } from './load.js';
export { parseMcpJson } from './import-mcp-json.js';
export { parseServiceConfig } from './service-config.js';
export type { ServiceConfigOptions } from './service-config.js';
export type { FleetConfig, ServiceConfig } from './model.js';
export { ConfigError, formatIssue } from './errors.js';
export type { ConfigIssue } from './errors.js';
export { diffFleetConfig, isEmptyDiff } from './diff.js';
export type { FleetDiff, ServiceChange } from './diff.js';
export { watchConfigFile, DEFAULT_WATCH_DEBOUNCE_MS } from './watch.js';
export type { WatchOptions } from './watch.js';
export { parseDuration, formatDuration } from './duration.js';
export { BUILT_IN_PROFILES } from './profiles.js';
export { FleetDocumentSchema, ServiceDefinitionSchema, SAFE_NAME } from './schema.js';
export type { FleetDocument, FleetDocumentInput, ServiceDefinition, ServiceDefinitionInput } from './schema.js';
export {
  TransportConfigSchema,
  inferTransportType,
  redactTransport,
  redactUrl,
  REDACTED,
} from './transport.js';
export type {
  RealTransportConfig,
  RedactedTransportConfig,
  TransportConfig,
  TransportType,
  StdioTransportConfig,
  StreamableHttpTransportConfig,
  SseTransportConfig,
} from './transport.js';
