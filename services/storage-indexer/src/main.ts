import { runService } from '@ferry/service';
import { runRebuildCommand } from './rebuild-command.js';
import { storageIndexer } from './service.js';

const exit = (code: number) => process.exit(code);
if (process.argv[2] === 'rebuild') await runRebuildCommand({ env: process.env, stderr: process.stderr, exit });
else await runService(storageIndexer, { env: process.env, signals: process, exit });
