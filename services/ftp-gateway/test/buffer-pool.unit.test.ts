import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/adapters/buffer-pool.js';

describe('BufferPool', () => {
  it('hands a returned buffer out again instead of allocating', () => {
    const pool = new BufferPool(1024, 4);
    const first = pool.take();
    expect(first.length).toBe(1024);
    pool.give(first);
    expect(pool.take()).toBe(first);
  });

  it('lends pool-sized buffers up to its limit, then allocates only what is wanted', () => {
    const pool = new BufferPool(1024, 2);
    const [a, b] = [pool.take(10), pool.take(10)];
    expect([a.length, b.length]).toEqual([1024, 1024]);
    const beyond = pool.take(10);
    expect(beyond.length).toBe(10);
    expect(pool.take(5000).length).toBe(1024);
    pool.give(beyond);
    expect(pool.idleCount).toBe(0);
    pool.give(a);
    expect(pool.take(10)).toBe(a);
  });

  it('gives two takers two different buffers', () => {
    const pool = new BufferPool(16, 4);
    const a = pool.take();
    pool.give(a);
    const b = pool.take();
    const c = pool.take();
    expect(b).not.toBe(c);
  });

  it('keeps at most its limit, ignores a buffer given twice and one of another size', () => {
    const pool = new BufferPool(16, 2);
    const [a, b, c] = [pool.take(), pool.take(), pool.take()];
    pool.give(a);
    pool.give(a);
    pool.give(Buffer.alloc(8));
    expect(pool.idleCount).toBe(1);
    pool.give(b);
    pool.give(c);
    expect(pool.idleCount).toBe(2);
  });
});
