// @ferry/testing: real nats-server, redis-server and haproxy for integration tests,
// as child processes of the local binaries or, where a container engine answers, as containers.
export {
  InvalidHaproxyConfigError,
  MissingBinaryError,
  ProcessExitedError,
  StartTimeoutError,
  TestingError,
  type TestingErrorCode,
} from './errors.js';
export { checkHaproxyConfig, startHaproxy, type HaproxyHandle, type StartHaproxyOptions } from './haproxy.js';
export { startNats, type NatsServerHandle, type StartNatsOptions } from './nats.js';
export { startNatsCluster, type NatsClusterHandle, type StartNatsClusterOptions } from './nats-cluster.js';
export { getFreePort, getFreePorts, looksLikePortConflict } from './ports.js';
export { isAlive } from './processes.js';
export { resolveBinary, type BinaryName } from './binaries.js';
export { startRedis, type RedisServerHandle, type StartRedisOptions } from './redis.js';
export { stopAllStarted } from './registry.js';
export { detectRuntime, type Runtime } from './runtime.js';
export { TEMP_DIR_PREFIX } from './temp-dir.js';
export { pollUntil, probeRedisPing, probeTcp, waitForHttp, waitForTcp } from './wait.js';
