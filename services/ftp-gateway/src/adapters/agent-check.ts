import { createServer, type AddressInfo, type Server } from 'node:net';
import { agentReply, type AgentState } from '../domain/agent-check.js';

/** HAProxy's agent-check: each connection gets one line ("up ready 80%", "drain", "down") and is closed. */
export async function startAgentCheck(host: string, port: number, state: () => AgentState): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(agentReply(state()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
