import { describe, expect, it } from 'vitest';
import { FsPace } from '../src/domain/fs-pace.js';

/** A pace on a clock the test moves; `call(ms)` is a metadata call that takes `ms`. */
function paced() {
  let now = 0;
  const pace = new FsPace(1, 30_000, () => now, 50);
  const ran: string[] = [];
  const call = (ms: number) =>
    pace.run(
      () => {
        now += ms;
        ran.push('sync');
        return ms;
      },
      () => {
        ran.push('async');
        return Promise.resolve(ms);
      },
    );
  return { pace, ran, call, wait: (ms: number) => (now += ms) };
}

const times = async (n: number, call: () => Promise<unknown>) => {
  for (let i = 0; i < n; i++) await call();
};

describe('the pace of storage metadata calls', () => {
  it('stays synchronous while calls are fast, even when one of them is now and then descheduled for a few milliseconds', async () => {
    const { pace, ran, call } = paced();
    for (let i = 0; i < 10; i++) {
      await times(20, () => call(0.02));
      await call(8);
    }
    expect(ran.every((how) => how === 'sync')).toBe(true);
    expect(pace.synchronous).toBe(true);
  });

  it('goes async once calls are consistently slow (a network mount), for a while, then tries synchronous calls again', async () => {
    const { pace, ran, call, wait } = paced();
    await times(40, () => call(3));
    const switchedAfter = ran.indexOf('async');
    expect(switchedAfter).toBeGreaterThan(5);
    expect(switchedAfter).toBeLessThan(30);
    expect(pace.synchronous).toBe(false);
    wait(30_000);
    await call(0.02);
    expect(ran.at(-1)).toBe('sync');
    expect(pace.synchronous).toBe(true);
  });

  it('goes async at once after one stalled call', async () => {
    const { pace, ran, call } = paced();
    await call(80);
    await call(0.02);
    expect(ran).toEqual(['sync', 'async']);
    expect(pace.synchronous).toBe(false);
  });

  it('counts a failing call, and passes either path\'s error on', async () => {
    let now = 0;
    const pace = new FsPace(1, 30_000, () => now, 50);
    const stalled = () => {
      now += 100;
      throw new Error('EIO');
    };
    await expect(pace.run(stalled, () => Promise.resolve('unused'))).rejects.toThrow('EIO');
    expect(pace.synchronous).toBe(false);
    await expect(pace.run(() => 'unused', () => Promise.reject(new Error('async EIO')))).rejects.toThrow('async EIO');
  });
});
