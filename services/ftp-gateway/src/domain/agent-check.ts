/** What HAProxy's agent-check reads from the gateway (haproxy docs, "agent-check"). */
export interface AgentState {
  readonly draining: boolean;
  /** NATS connected and the platform (auth/session) answering. */
  readonly healthy: boolean;
  readonly sessions: number;
  readonly capacity: number;
}

/**
 * "up ready 75%" (weight falls as sessions approach capacity, never below 1%),
 * "drain", or "down". "ready" cancels a drain HAProxy still holds from this
 * gateway's previous life: a drained, restarted gateway gets clients again.
 */
export function agentReply(state: AgentState): string {
  if (!state.healthy) return 'down\n';
  if (state.draining) return 'drain\n';
  const free = state.capacity <= 0 ? 0 : 1 - state.sessions / state.capacity;
  const weight = Math.max(1, Math.min(100, Math.round(free * 100)));
  return `up ready ${weight}%\n`;
}
