import { createServer, type Server } from 'node:net';
import type { PortRange } from '../../domain/port-range.js';
import { GatewayError } from '../../domain/errors.js';

/**
 * Passive ports of this gateway's range, allocated by listening directly on a
 * port of the range (no probe-close-relisten race, ftp-srv's defect 6), trying
 * every port of the range once, starting after the last one handed out.
 */
export class PassivePorts {
  private next: number;
  private inUse = 0;

  constructor(
    private readonly range: PortRange,
    private readonly host: string,
    private readonly onChange: (inUse: number) => void = () => undefined,
    private readonly onExhausted: () => void = () => undefined,
  ) {
    this.next = range.min;
  }

  get size(): number {
    return this.range.max - this.range.min + 1;
  }

  get used(): number {
    return this.inUse;
  }

  /** A server listening on a free port of the range; call release() after closing it. */
  async listen(create: () => Server = () => createServer({ pauseOnConnect: true })): Promise<{ server: Server; port: number; release: () => void }> {
    for (let tried = 0; tried < this.size; tried++) {
      const port = this.next;
      this.next = port >= this.range.max ? this.range.min : port + 1;
      const server = create();
      if (await tryListen(server, port, this.host)) {
        this.inUse += 1;
        this.onChange(this.inUse);
        let released = false;
        return {
          server,
          port,
          release: () => {
            if (released) return;
            released = true;
            this.inUse -= 1;
            this.onChange(this.inUse);
          },
        };
      }
    }
    this.onExhausted();
    throw new GatewayError('PASSIVE_PORTS_EXHAUSTED', `every port of ${this.range.min}-${this.range.max} is taken`, { retryable: true });
  }
}

function tryListen(server: Server, port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => resolve(false);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.removeListener('error', onError);
      resolve(true);
    });
  });
}
