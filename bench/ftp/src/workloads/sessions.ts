import { setTimeout as sleep } from 'node:timers/promises';
import { RawFtp } from '../ftp-raw.js';
import type { FtpTarget } from '../peers/peer.js';
import { treePssKiB, treeRssKiB } from '../proc.js';
import { measured, type Workload } from './measure.js';

/** Full login cycles (connect, 220, USER, PASS, 230, QUIT) by `clients` concurrent clients for `seconds`, all as the same user. */
export function logins(clients: number, seconds: number): Workload {
  return {
    name: `login cycles, ${clients} clients (same user)`,
    unit: 'logins/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU ms/login', scale: 1000 },
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
      return { ...m, value: count / m.elapsedS, work: count };
    },
  };
}

/**
 * First logins: `perRun` distinct users, each logging in once, by `clients` concurrent clients.
 * Every run takes users no earlier run (against any target sharing the accounts) has used, so no server has them cached (Ferry's
 * verified-credential cache, the kernel's page cache of /etc/shadow aside): each login pays the full password hash.
 */
export function distinctLogins(clients: number, perRun: number): Workload {
  // Keyed by the account list: Ferry's three targets share one platform (and one credential cache).
  const slicesTaken = new WeakMap<readonly unknown[], number>();
  return {
    name: `first logins of ${perRun} distinct users, ${clients} clients`,
    unit: 'logins/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU ms/login', scale: 1000 },
    run: async (target: FtpTarget) => {
      const runIndex = slicesTaken.get(target.users) ?? 0;
      slicesTaken.set(target.users, runIndex + 1);
      // users[0] is the transfer account, already logged in by other workloads.
      const pool = target.users.slice(1 + runIndex * perRun, 1 + (runIndex + 1) * perRun);
      if (pool.length < perRun) throw new Error(`${target.name} has ${target.users.length} accounts; slice ${runIndex + 1} needs ${perRun} unused ones`);
      let next = 0;
      const m = await measured(target, async () => {
        await Promise.all(
          Array.from({ length: clients }, async () => {
            for (let i = next++; i < pool.length; i = next++) {
              const ftp = await RawFtp.open(target.host, target.port);
              await ftp.login(pool[i]!.user, pool[i]!.password);
              await ftp.quit();
            }
          }),
        );
        return pool.length;
      });
      return { ...m, value: pool.length / m.elapsedS, work: pool.length };
    },
  };
}

/**
 * N logged-in idle sessions held at once; the value is the server tree's PSS in MiB (shared
 * pages split between sharers, so vsftpd's forks are not counted twice), the detail its RSS.
 * Sessions are opened by 16 clients one after the other, not all at once: a burst beyond a
 * server's accept backlog measures SYN retransmits (seconds), not memory.
 */
export function idleSessions(count: number): Workload {
  return {
    name: `${count} idle sessions`,
    unit: 'MiB PSS',
    higherIsBetter: false,
    maxRuns: 1,
    run: async (target: FtpTarget) => {
      const open: RawFtp[] = [];
      try {
        const m = await measured(target, async () => {
          let next = 0;
          await Promise.all(
            Array.from({ length: 16 }, async () => {
              for (let i = next++; i < count; i = next++) {
                const ftp = await RawFtp.open(target.host, target.port);
                open.push(ftp);
                // Ten accounts share the sessions: enough to be realistic, few enough that the
                // memory figure is not mixed with thousands of first-login password hashes.
                const { user, password } = target.users[i % Math.min(10, target.users.length)]!;
                await ftp.login(user, password);
              }
            }),
          );
          await sleep(1_000);
          return (await treePssKiB(target.memoryPid)) / 1024;
        });
        return { ...m, detail: `RSS ${((await treeRssKiB(target.memoryPid)) / 1024).toFixed(0)} MiB` };
      } finally {
        open.forEach((ftp) => ftp.destroy());
        await sleep(500);
      }
    },
  };
}
