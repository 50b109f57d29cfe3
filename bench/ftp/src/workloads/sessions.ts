import { setTimeout as sleep } from 'node:timers/promises';
import { RawFtp } from '../ftp-raw.js';
import type { FtpTarget } from '../peers/peer.js';
import { treePssKiB } from '../proc.js';
import { measured, type Workload } from './measure.js';

/** Full login cycles (connect, 220, USER, PASS, 230, QUIT) by `clients` concurrent clients for `seconds`. */
export function logins(clients: number, seconds: number): Workload {
  return {
    name: `login cycles, ${clients} clients (same user)`,
    unit: 'logins/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU ms/login', units: (value, elapsed) => (value * elapsed) / 1000 },
    run: async (target: FtpTarget) => {
      let count = 0;
      const m = await measured(target, async () => {
        const deadline = performance.now() + seconds * 1000;
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (performance.now() < deadline) {
              const ftp = await RawFtp.open(target.host, target.port);
              await ftp.login(target.user, target.password);
              await ftp.quit();
              count += 1;
            }
          }),
        );
        return count;
      });
      return { ...m, value: count / m.elapsedS };
    },
  };
}

/** N logged-in idle sessions held at once; the value is the server tree's PSS in MiB. */
export function idleSessions(count: number): Workload {
  return {
    name: `${count} idle sessions`,
    unit: 'MiB PSS',
    higherIsBetter: false,
    run: async (target: FtpTarget) => {
      const open: RawFtp[] = [];
      try {
        const m = await measured(target, async () => {
          for (let i = 0; i < count; i += 100) {
            const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => RawFtp.open(target.host, target.port)));
            await Promise.all(batch.map((ftp) => ftp.login(target.user, target.password)));
            open.push(...batch);
          }
          await sleep(1_000);
          return (await treePssKiB(target.pid)) / 1024;
        });
        return m;
      } finally {
        open.forEach((ftp) => ftp.destroy());
        await sleep(500);
      }
    },
  };
}
