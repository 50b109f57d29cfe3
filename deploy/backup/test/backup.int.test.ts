import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, ensureStreams, publishEvent, type Bus } from '@ferry/bus';
import { allEventDefinitions, createEvent, eventSubjects, streamNames, streamSpecs, type FerryEvent } from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { BackupError, createBackup, restoreBackup } from '../src/backup.js';
import { exportStream } from '../src/stream-export.js';

const run = promisify(execFile);
const workspace = new URL('../../../', import.meta.url).pathname;
let source: NatsServerHandle;
let target: NatsServerHandle;
let from: Bus;
let to: Bus;
let dir: string;

const files: Record<string, string> = {
  'alice/report "final".csv': 'a,b\n1,2\n',
  'alice/deep/nested/Ünïcødé name.txt': 'grüße\n',
  'bob/empty.bin': '',
};

async function lines(bus: Bus, stream: string): Promise<Array<{ subject: string; data: string; id: string | undefined }>> {
  const path = join(dir, `${stream}-${Math.random()}.ndjson`);
  await exportStream(bus, stream, path);
  const text = await readFile(path, 'utf8');
  return text.trim() === '' ? [] : text.trim().split('\n').map((l) => {
    const m = JSON.parse(l) as { subject: string; data: string; headers: Record<string, string[]> };
    return { subject: m.subject, data: m.data, id: m.headers['Nats-Msg-Id']?.[0] };
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-backup-test-'));
  [source, target] = await Promise.all([startNats(), startNats()]);
  from = await connectBus({ servers: [source.url], name: 'backup-source' });
  to = await connectBus({ servers: [target.url], name: 'backup-target' });
  await ensureStreams(from, streamSpecs({ replicas: 1 }));
  for (const definition of allEventDefinitions) {
    if (definition.type.startsWith('ferry.health.') || definition.type.startsWith('ferry.dlq.')) continue;
    for (let i = 0; i < 3; i++) await publishEvent(from, createEvent(definition, exampleDataFor(definition), { source: 'test/backup' }) as FerryEvent);
  }
  // A message that fails validation is kept too: a backup is for forensics as well.
  await from.js.publish(eventSubjects.transfer('completed'), new TextEncoder().encode('{"not":"an event"}'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, 'storage', name, '..'), { recursive: true });
    await writeFile(join(dir, 'storage', name), content);
  }
});

afterAll(async () => {
  await Promise.all([from?.close(), to?.close()]);
  await Promise.all([source?.stop(), target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('restores every message in order, with its id, and every file, into an empty deployment', async () => {
    const manifest = await createBackup(from, { out: join(dir, 'b1'), storageRoot: join(dir, 'storage') });
    expect(manifest.streams[streamNames.users]?.messages).toBe(18);
    expect(manifest.streams[streamNames.activity]?.messages).toBe(3 * 15 + 1);

    await restoreBackup(to, { from: join(dir, 'b1'), storageRoot: join(dir, 'restored'), replicas: 1 });
    for (const stream of [streamNames.users, streamNames.activity, streamNames.alerts]) {
      expect(await lines(to, stream)).toEqual(await lines(from, stream));
    }
    for (const [name, content] of Object.entries(files)) expect(await readFile(join(dir, 'restored', name), 'utf8')).toBe(content);
  });

  it('a restored user aggregate accepts the next append at its restored subject sequence', async () => {
    const subject = eventSubjects.user('alice');
    const last = await to.jsm.streams.getMessage(streamNames.users, { last_by_subj: subject });
    const next = createEvent(allEventDefinitions.find((d) => d.type === 'ferry.user.disabled.v1')!, { username: 'alice', by: 'test' }, { source: 'test/backup' });
    await expect(publishEvent(to, next as never, { expectedLastSubjectSequence: last!.seq })).resolves.toMatchObject({ duplicate: false });
  });

  it('refuses to restore over streams that hold messages, and to back up into a non-empty folder', async () => {
    await expect(restoreBackup(to, { from: join(dir, 'b1'), replicas: 1 })).rejects.toThrow(/already holds .* restore into an empty deployment/);
    await expect(createBackup(from, { out: join(dir, 'b1') })).rejects.toBeInstanceOf(BackupError);
  });

  it('works as a command: npm run backup -- create / restore', async () => {
    const third = await startNats();
    try {
      const cli = (...args: string[]) => run(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'deploy/backup/src/main.ts', ...args], { cwd: workspace });
      const created = await cli('create', '--out', join(dir, 'b2'), '--nats', source.url, '--storage', join(dir, 'storage'));
      expect(created.stdout).toContain(`${streamNames.users}: 18 messages`);
      const restored = await cli('restore', '--from', join(dir, 'b2'), '--nats', third.url, '--storage', join(dir, 'restored-2'));
      expect(restored.stdout).toContain('restore complete');
      const bad = await cli('restore', '--nats', third.url).catch((error: { code: number; stderr: string }) => error);
      expect(bad).toMatchObject({ code: 1 });
      expect((bad as { stderr: string }).stderr).toContain('restore needs --from DIR');
    } finally {
      await third.stop();
    }
  });
});
