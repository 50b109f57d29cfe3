import { getFreePort, probeTcp } from '@ferry/testing';

/** The usual port when it is free (or when ephemeral ports are not asked for and it is free), else any free one. */
export async function choosePort(preferred: number, ephemeral: boolean): Promise<{ port: number; moved: boolean }> {
  if (!ephemeral && !(await probeTcp('127.0.0.1', preferred, 300))) return { port: preferred, moved: false };
  return { port: await getFreePort(), moved: !ephemeral };
}
