import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * `curl … | wc -l`: the lines of a streamed response, pulled by curl in its own process as
 * an analyst would, so the client does not share the server's thread in a benchmark.
 */
export async function countLines(url: string, token: string): Promise<number> {
  const curl = spawn('sh', ['-c', `curl -sSf -H "authorization: Bearer ${token}" "${url}" | wc -l`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  curl.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(curl, 'close')) as [number | null];
  if (code !== 0) throw new Error(`curl ${url} failed (${code})`);
  return Number(out.trim());
}
