import { createServer, type Server, type Socket } from 'node:net';

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export interface ProxyV2Header {
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

/** Reads a PROXY v2 header (IPv4/TCP) from the start of a connection, as a gateway does. */
export function readProxyV2(socket: Socket): Promise<{ header: ProxyV2Header | undefined; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 16) return;
      socket.off('data', onData);
      if (!buffered.subarray(0, 12).equals(SIGNATURE)) return reject(new Error('no PROXY v2 signature'));
      const length = buffered.readUInt16BE(14);
      const body = buffered.subarray(16, 16 + length);
      const isProxyCommand = (buffered[12]! & 0x0f) === 0x01;
      const header = isProxyCommand
        ? { sourceAddress: [...body.subarray(0, 4)].join('.'), sourcePort: body.readUInt16BE(8), destinationPort: body.readUInt16BE(10) }
        : undefined;
      resolve({ header, rest: buffered.subarray(16 + length) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function listen(server: Server, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * A stand-in for an FTP gateway, enough to test the balancer: it expects PROXY v2
 * on every connection, greets with 220 on its control port, answers QUIT with 221,
 * names itself on its passive port, and answers HAProxy's agent check ("up 100%" unless told otherwise).
 */
export async function startFakeGateway(name: string, host: string, ports: { control: number; passive: number; agent: number }) {
  const seen: ProxyV2Header[] = [];
  const control = createServer((socket) => {
    // HAProxy closes its health-check connections with a reset once it has its 221.
    socket.on('error', () => undefined);
    void readProxyV2(socket).then(({ header }) => {
      if (header) seen.push(header);
      socket.write(`220 ${name} ready\r\n`);
      socket.on('data', (data: Buffer) => {
        const line = data.toString();
        if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else if (line.startsWith('NOOP')) socket.write(`200 ${name} still here\r\n`);
      });
    }, () => socket.destroy());
  });
  const passive = createServer((socket) => {
    socket.on('error', () => undefined);
    void readProxyV2(socket).then(({ header }) => {
      if (header) seen.push(header);
      socket.end(`data from ${name}\n`);
    }, () => socket.destroy());
  });
  let agentReply = 'up 100%\n';
  const agent = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(agentReply);
  });
  const servers = await Promise.all([listen(control, host, ports.control), listen(passive, host, ports.passive), listen(agent, host, ports.agent)]);
  return {
    seen,
    /** What the agent check answers from now on, as a gateway does when its load changes. */
    setAgentReply: (reply: string) => (agentReply = reply),
    close: () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))),
  };
}
