import { containerEngineHinted, runtimeMode, type RuntimeMode } from './env.js';
import { TestingError } from './errors.js';

/** Where servers run: child processes of local binaries, or containers of the same servers. */
export type Runtime = 'local' | 'container';

const DETECT_TIMEOUT_MS = 5000;
const decided = new Map<RuntimeMode, Promise<Runtime>>();

async function containerEngineAnswers(): Promise<void> {
  // Loaded lazily: importing testcontainers costs ~0.5 s, which a local run never pays.
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DETECT_TIMEOUT_MS} ms`)), DETECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function decide(mode: RuntimeMode): Promise<Runtime> {
  if (mode === 'local') return 'local';
  if (mode === 'container') {
    try {
      await containerEngineAnswers();
      return 'container';
    } catch (error) {
      throw new TestingError(
        'TESTING_CONTAINER_RUNTIME',
        `FERRY_TEST_RUNTIME=container but no container engine answers: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (!containerEngineHinted()) return 'local';
  try {
    await containerEngineAnswers();
    return 'container';
  } catch {
    return 'local';
  }
}

/**
 * The runtime that startNats/startRedis/startHaproxy use, from FERRY_TEST_RUNTIME
 * (local | container | auto, default auto). Auto picks containers only when a container
 * engine answers, and otherwise falls back to local binaries quickly.
 */
export async function detectRuntime(): Promise<Runtime> {
  const mode = runtimeMode();
  let result = decided.get(mode);
  if (result === undefined) {
    result = decide(mode);
    decided.set(mode, result);
    // A failed detection is not cached: the next call tries again.
    result.catch(() => decided.delete(mode));
  }
  return result;
}
