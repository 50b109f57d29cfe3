import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The alert-relay's routing for the local stack: every alert to the webhook sink
 * (which prints it), quickly (short group_wait), with resolved messages.
 */
export async function writeLocalAlertConfig(dataDir: string, sinkUrl: string): Promise<string> {
  const path = join(dataDir, 'alert-relay.json');
  const config = {
    receivers: [{ name: 'local-chat', url: sinkUrl, username: 'ferry', sendResolved: true }],
    route: { receiver: 'local-chat', groupBy: ['alertname', 'service'], groupWaitMs: 10_000, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 },
    watchdog: { evaluationIntervalMs: 1_000, serviceDown: { thresholdMs: 15_000, intervalMultiplier: 3, severity: 'warning' } },
  };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}
