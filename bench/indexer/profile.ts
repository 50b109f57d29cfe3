import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * A V8 CPU profile of this process from now until `stop()`, written to `file` (open it in
 * Chrome DevTools → Performance, or speedscope). Unlike `node --cpu-prof`, it leaves out
 * start-up and the benchmark's own set-up (publishing the events). No file: does nothing.
 */
export async function startCpuProfile(file: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (file === undefined || file === '') return { stop: () => Promise.resolve() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
