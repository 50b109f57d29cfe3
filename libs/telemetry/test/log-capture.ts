import type { DestinationStream } from 'pino';

/** A pino destination that keeps each JSON line, parsed, for assertions. */
export function captureLogLines(): { destination: DestinationStream; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    },
  };
  return { destination, lines };
}
