import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, probeRedisPing } from '@ferry/testing';
import { loginReply, type FtpAccount } from './ftp-client.js';
import { startStack, type RunningStack } from './run-stack.js';

let running: RunningStack;
let demo: FtpAccount;

beforeAll(async () => {
  running = await startStack(['--gateways', '1']);
  demo = { port: running.stack.ftp.port, ...running.stack.demoUser };
});

afterAll(async () => {
  // The runner may still be held (SIGSTOP) if a step failed: let it go so it can stop its children.
  if (running?.runner.exitCode === null) process.kill(running.runner.pid!, 'SIGCONT');
  await running?.stop();
});

const redisPort = () => Number(new URL(running.stack.redis.url).port);

describe('Redis restarted under the running stack', () => {
  it('refuses logins with a clear 421 while Redis is down, then accepts them again with every service still the same process', async () => {
    expect(await loginReply(demo)).toMatchObject({ code: 230 });
    const servicePids = Object.fromEntries(Object.entries(running.stack.services).map(([name, s]) => [name, s.pid]));

    // The runner restarts a killed redis-server within about half a second. Holding the
    // runner (SIGSTOP) keeps Redis down long enough to watch the outage, like a Redis host
    // that stays down; the services are separate processes and keep running meanwhile.
    process.kill(running.runner.pid!, 'SIGSTOP');
    process.kill(running.stack.redis.pid!, 'SIGKILL');
    await pollUntil('redis-server to be gone', 10_000, async () => !(await probeRedisPing('127.0.0.1', redisPort(), 300)));

    let refused = await loginReply(demo);
    await pollUntil('a login refused during the outage', 15_000, async () => (refused = await loginReply(demo)).code !== 230);
    expect(refused).toEqual({ code: 421, text: 'Service not available, try again later.' });
    expect(await loginReply(demo)).toEqual(refused);

    process.kill(running.runner.pid!, 'SIGCONT');
    await pollUntil('the runner to restart redis-server', 30_000, () => Promise.resolve(running.output().includes('redis-server restarted')));
    await pollUntil('logins to work again', 30_000, async () => (await loginReply(demo)).code === 230);

    // No service was restarted: each still runs as the process it was before the outage.
    for (const [name, pid] of Object.entries(servicePids)) expect(() => process.kill(pid!, 0), `${name} (pid ${pid}) still runs`).not.toThrow();
    const supervisorReports = running.output().split('\n').filter((line) => / (exited|restarted) \(/.test(line));
    expect(supervisorReports.map((line) => line.split(' ')[1])).toEqual(['redis-server', 'redis-server']);
  });
});
