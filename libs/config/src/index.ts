export { ConfigError, type ConfigIssue } from './config-error.js';
export { EX_CONFIG, loadConfig, loadConfigOrExit, type DeepReadonly, type Env, type ExitOptions } from './load-config.js';
export {
  envBool,
  envDuration,
  envEnum,
  envInt,
  envLogLevel,
  envPort,
  envSecret,
  LOG_LEVELS,
  type DurationBounds,
  type IntBounds,
  type LogLevel,
} from './env-scalars.js';
export { cidrBlockList, envCidr, envCidrList, envCsv, envUrl, type CsvOptions, type UrlOptions } from './env-lists.js';
export { commonServiceEnv, defaultInstanceId } from './common-service-env.js';
