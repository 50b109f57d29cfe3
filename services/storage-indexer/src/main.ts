import { placeholderService, runService } from '@ferry/service';

await runService(placeholderService('storage-indexer', '0.1.0'), { env: process.env, signals: process, exit: (code) => process.exit(code) });
