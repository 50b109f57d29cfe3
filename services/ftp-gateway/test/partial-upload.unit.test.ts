import { describe, expect, it } from 'vitest';
import { resolveClientPath } from '../src/domain/paths.js';
import {
  isWriterGone,
  parsePartialUploadName,
  partialTargetKey,
  partialUploadFileName,
  planAdoption,
  PARTIALS_FOLDER,
  SweepSchedule,
  type PartialOnDisk,
  type PartialUploadName,
  type WriterView,
} from '../src/domain/partial-upload.js';

const NOW = 1_000_000;
const view = (overrides: Partial<WriterView> = {}): WriterView => ({ self: 'gw-2', liveTokens: new Set(), nowMs: NOW, staleAfterMs: 10_000, ...overrides });

function partial(targetName: string, gateway: string, token: string, kind: PartialUploadName['kind'], modifiedAtMs: number): PartialOnDisk {
  const fileName = partialUploadFileName(targetName, { gateway, token, kind });
  return { fileName, name: parsePartialUploadName(fileName)!, modifiedAtMs };
}

describe('partial upload names', () => {
  it('round-trip: the name says which target, whose gateway, which upload and what an interruption keeps', () => {
    const fileName = partialUploadFileName('report 日本 "final".pdf', { gateway: 'gw-1', token: 'a1b2c3d4e5f60718', kind: 'resume' });
    expect(parsePartialUploadName(fileName)).toEqual({ targetKey: partialTargetKey('report 日本 "final".pdf'), gateway: 'gw-1', token: 'a1b2c3d4e5f60718', kind: 'resume' });
  });

  it('the target key is the same on every gateway and differs between names', () => {
    expect(partialTargetKey('a.bin')).toBe(partialTargetKey('a.bin'));
    expect(partialTargetKey('a.bin')).not.toBe(partialTargetKey('b.bin'));
  });

  it('stays within one name\'s 255 bytes however long the target name and gateway id are', () => {
    const fileName = partialUploadFileName('x'.repeat(255), { gateway: 'g'.repeat(63), token: 'f'.repeat(16), kind: 'replace' });
    expect(new TextEncoder().encode(fileName).length).toBeLessThanOrEqual(255);
    expect(parsePartialUploadName(fileName)?.gateway).toBe('g'.repeat(63));
  });

  it.each(['.ferry-upload-0f8fad5b-d9cb-469f-a165-70867728950e', '.ferry-upload-stale', 'report.pdf', `.ferry-upload-${'0'.repeat(24)}.GW.abcdef12.resume`, `.ferry-upload-${'0'.repeat(24)}.gw-1.abcdef12.keep`])(
    '%s is not a partial anyone may adopt',
    (fileName) => {
      expect(parsePartialUploadName(fileName)).toBeUndefined();
    },
  );

  it('is a name clients can neither see nor name', () => {
    const fileName = partialUploadFileName('a.bin', { gateway: 'gw-1', token: 'abcdef12', kind: 'resume' });
    expect(resolveClientPath('/', fileName)).toEqual({ ok: false, problem: 'reserved_name' });
  });

  it('the partials subfolder is a name clients cannot reach, as a folder or on the way to one, and is no partial itself', () => {
    expect(resolveClientPath('/', PARTIALS_FOLDER)).toEqual({ ok: false, problem: 'reserved_name' });
    expect(resolveClientPath('/docs', `${PARTIALS_FOLDER}/x.bin`)).toEqual({ ok: false, problem: 'reserved_name' });
    expect(resolveClientPath('/', `docs/../docs/${PARTIALS_FOLDER}`)).toEqual({ ok: false, problem: 'reserved_name' });
    expect(parsePartialUploadName(PARTIALS_FOLDER)).toBeUndefined();
  });
});

describe('is the writer of a partial gone?', () => {
  const mine = parsePartialUploadName(partialUploadFileName('a', { gateway: 'gw-2', token: 'abcdef12', kind: 'resume' }))!;
  const theirs = parsePartialUploadName(partialUploadFileName('a', { gateway: 'gw-1', token: 'abcdef12', kind: 'resume' }))!;

  it('an upload this gateway process is writing is live, however old its last write', () => {
    expect(isWriterGone(mine, NOW - 3_600_000, view({ liveTokens: new Set(['abcdef12']) }))).toBe(false);
  });

  it('a partial of this gateway id that no upload of this process writes is from an earlier life: gone at once', () => {
    expect(isWriterGone(mine, NOW, view())).toBe(true);
  });

  it('another gateway\'s partial is live while touched within the stale time, gone from then on', () => {
    expect(isWriterGone(theirs, NOW - 9_999, view())).toBe(false);
    expect(isWriterGone(theirs, NOW - 10_000, view())).toBe(true);
  });
});

describe('which partial a gone writer left is adopted', () => {
  it('the newest resumable partial of a gone writer is adopted; older ones and gone overwrites are discarded', () => {
    const newest = partial('a', 'gw-1', 'aaaaaaaa', 'resume', NOW - 20_000);
    const older = partial('a', 'gw-1', 'bbbbbbbb', 'resume', NOW - 30_000);
    const overwrite = partial('a', 'gw-3', 'cccccccc', 'replace', NOW - 15_000);
    expect(planAdoption([older, overwrite, newest], undefined, view())).toEqual({ adopt: newest, discard: [older, overwrite] });
  });

  it('a partial whose writer may still be alive is neither adopted nor discarded', () => {
    const fresh = partial('a', 'gw-1', 'aaaaaaaa', 'resume', NOW - 1_000);
    const live = partial('a', 'gw-2', 'bbbbbbbb', 'resume', NOW - 60_000);
    expect(planAdoption([fresh, live], undefined, view({ liveTokens: new Set(['bbbbbbbb']) }))).toEqual({ adopt: undefined, discard: [] });
  });

  it('an overwrite from byte 0 is never adopted: the old file stays whole', () => {
    const overwrite = partial('a', 'gw-1', 'aaaaaaaa', 'replace', NOW - 20_000);
    expect(planAdoption([overwrite], NOW - 60_000, view())).toEqual({ adopt: undefined, discard: [overwrite] });
  });

  it('a resume newer than the target replaces it; a target written after the partial (a completed upload) wins', () => {
    const resumed = partial('a', 'gw-1', 'aaaaaaaa', 'resume', NOW - 20_000);
    expect(planAdoption([resumed], NOW - 60_000, view()).adopt).toBe(resumed);
    expect(planAdoption([resumed], NOW - 5_000, view())).toEqual({ adopt: undefined, discard: [resumed] });
  });
});

describe('how often one gateway sweeps a folder\'s stale partials', () => {
  it('a folder is due once per interval; other folders are due on their own', () => {
    const schedule = new SweepSchedule(60_000, 10);
    expect(schedule.claim('/a', NOW)).toBe(true);
    expect(schedule.claim('/a', NOW + 59_999)).toBe(false);
    expect(schedule.claim('/b', NOW + 59_999)).toBe(true);
    expect(schedule.claim('/a', NOW + 60_000)).toBe(true);
    expect(schedule.claim('/a', NOW + 60_001)).toBe(false);
  });

  it('remembers at most its capacity: the folder swept longest ago is forgotten first, and is merely due again', () => {
    const schedule = new SweepSchedule(60_000, 2);
    expect(schedule.claim('/a', NOW)).toBe(true);
    expect(schedule.claim('/b', NOW + 1)).toBe(true);
    expect(schedule.claim('/c', NOW + 2)).toBe(true);
    expect(schedule.claim('/b', NOW + 3)).toBe(false);
    expect(schedule.claim('/c', NOW + 3)).toBe(false);
    expect(schedule.claim('/a', NOW + 3)).toBe(true);
  });
});
