import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, probeTcp } from '@ferry/testing';

/**
 * Ports are chosen below the kernel's ephemeral range (32768+), which it never hands
 * out to an outgoing connection by itself: a port free at planning stays free until the
 * child binds it seconds later (a port from bind(0) was taken in between under parallel
 * tests). Several runners on one machine (parallel tests) must not pick the same ones,
 * so each claims whole slots of a region with a lock file holding its pid; a slot whose
 * owner died is taken over.
 */
interface Region {
  readonly name: string;
  readonly from: number;
  readonly slotSize: number;
  readonly slots: number;
}

/** Single ports (services, ops, agents): 500 slots of 20 ports from 10000. */
const SINGLE_PORTS: Region = { name: 'single', from: 10_000, slotSize: 20, slots: 500 };
/** Passive ranges, one 100-port slot per gateway: 20000–32699. */
export const PASSIVE_RANGES: Region = { name: 'passive', from: 20_000, slotSize: 100, slots: 127 };

const lockDir = join(tmpdir(), 'ferry-port-locks');
const claimed: string[] = [];
let single: { next: number; end: number } | undefined;

/** Claims `count` consecutive free slots of `region` for this process; returns the first port. */
export function claimSlots(region: Region, count: number): number {
  mkdirSync(lockDir, { recursive: true });
  const start = Math.floor(Math.random() * region.slots);
  for (let i = 0; i < region.slots; i++) {
    const first = (start + i) % region.slots;
    if (first + count > region.slots) continue;
    const locks: string[] = [];
    for (let slot = first; slot < first + count; slot++) {
      const lock = join(lockDir, `${region.name}-${slot}`);
      if (!tryLock(lock)) break;
      locks.push(lock);
    }
    if (locks.length === count) {
      claimed.push(...locks);
      return region.from + first * region.slotSize;
    }
    locks.forEach(unlock);
  }
  throw new Error(`no ${count} free ${region.name} port slot(s) left in ${lockDir}: stop other Ferry stacks, or remove stale locks there`);
}

// Slots are given back when the runner exits; a runner killed outright leaves locks the next claim takes over.
process.once('exit', () => claimed.splice(0).forEach(unlock));

function tryLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerAlive(path)) return false;
      unlock(path);
    }
  }
  return false;
}

function ownerAlive(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8'));
  } catch {
    return true; // being written by its owner right now
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid);
}

function unlock(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** The usual port when it is free (or when ephemeral ports are not asked for and it is free), else a free one of this runner's slots. */
export async function choosePort(preferred: number, ephemeral: boolean): Promise<{ port: number; moved: boolean }> {
  if (!ephemeral && !(await probeTcp('127.0.0.1', preferred, 300))) return { port: preferred, moved: false };
  return { port: await nextSinglePort(), moved: !ephemeral };
}

async function nextSinglePort(): Promise<number> {
  for (;;) {
    if (single === undefined || single.next >= single.end) {
      const first = claimSlots(SINGLE_PORTS, 1);
      single = { next: first, end: first + SINGLE_PORTS.slotSize };
    }
    const port = single.next++;
    // Something outside Ferry may listen there: skip it.
    if (!(await probeTcp('127.0.0.1', port, 300))) return port;
  }
}
