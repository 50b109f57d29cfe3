import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TestingError } from './errors.js';

/** The one file that reads the environment. Values are read at call time, so tests may change them. */
export type RuntimeMode = 'local' | 'container' | 'auto';

export function runtimeMode(): RuntimeMode {
  const raw = process.env['FERRY_TEST_RUNTIME'];
  if (raw === undefined || raw === '') return 'auto';
  if (raw === 'local' || raw === 'container' || raw === 'auto') return raw;
  throw new TestingError('TESTING_INVALID_ENV', `FERRY_TEST_RUNTIME must be local, container or auto; received "${raw}"`);
}

export function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function searchPath(): string[] {
  const fromEnv = (process.env['PATH'] ?? '').split(':').filter((dir) => dir !== '');
  // Debian installs nats-server and haproxy in /usr/sbin, which a non-root PATH often lacks.
  return [...new Set([...fromEnv, '/usr/local/sbin', '/usr/sbin', '/sbin'])];
}

/** True when something suggests a container engine: only then is testcontainers worth loading. */
export function containerEngineHinted(): boolean {
  if (['DOCKER_HOST', 'TESTCONTAINERS_HOST_OVERRIDE', 'TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE'].some((n) => envValue(n))) {
    return true;
  }
  const home = homedir();
  const runtimeDir = envValue('XDG_RUNTIME_DIR');
  const candidates = [
    '/var/run/docker.sock',
    join(home, '.testcontainers.properties'),
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    ...(runtimeDir === undefined ? [] : [join(runtimeDir, 'docker.sock')]),
  ];
  return candidates.some((path) => existsSync(path));
}
