import { parseArgs } from 'node:util';
import { connectBus } from '@ferry/bus';
import { BackupError, createBackup, restoreBackup } from './backup.js';

const USAGE = `Usage:
  npm run backup -- create  --out DIR  [--storage DIR] [--nats URL]
  npm run backup -- restore --from DIR [--storage DIR] [--nats URL] [--replicas N]

create   writes every message of FERRY_USERS, FERRY_ACTIVITY and FERRY_ALERTS (NDJSON,
         in order, with their headers) and, with --storage, the storage root as a
         tar.gz, plus manifest.json, into DIR (which must be new or empty).
restore  re-creates the streams and re-publishes every message in order into an
         EMPTY deployment, verifies the counts, and unpacks the storage root into an
         empty folder. Run it before the services start: they then
         rebuild their state by replay (the local stack: npm start --
         --data-dir NEW --restore-from DIR).

--nats defaults to $NATS_URL, else nats://127.0.0.1:4222; --storage defaults to
$FERRY_STORAGE_ROOT when set.
`;

const out = (text: string) => process.stdout.write(`${text}\n`);

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, from: { type: 'string' }, storage: { type: 'string' }, nats: { type: 'string' }, replicas: { type: 'string' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || (command !== 'create' && command !== 'restore')) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 64);
  }
  const servers = (values.nats ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(',');
  const storageRoot = values.storage ?? process.env.FERRY_STORAGE_ROOT;
  const bus = await connectBus({ servers, name: 'ferry-backup', connectTimeoutMs: 5_000 });
  try {
    if (command === 'create') {
      if (!values.out) throw new BackupError('create needs --out DIR');
      const manifest = await createBackup(bus, { out: values.out, ...(storageRoot ? { storageRoot } : {}) });
      for (const [name, entry] of Object.entries(manifest.streams)) out(`${name}: ${entry.messages} messages`);
      out(`backup written to ${values.out}${manifest.storage ? ' (with the storage root)' : ''}`);
    } else {
      if (!values.from) throw new BackupError('restore needs --from DIR');
      const replicas = Number(values.replicas ?? '1');
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new BackupError(`--replicas must be 1 to 5, got ${values.replicas}`);
      const manifest = await restoreBackup(bus, { from: values.from, replicas, ...(storageRoot ? { storageRoot } : {}) });
      for (const [name, entry] of Object.entries(manifest.streams)) out(`${name}: ${entry.messages} messages restored`);
      out('restore complete: start the services now; they rebuild their state by replay');
    }
  } finally {
    await bus.close();
  }
} catch (error) {
  process.stderr.write(`backup: ${(error as Error).message}\n`);
  process.exit(error instanceof BackupError ? 1 : 2);
}
