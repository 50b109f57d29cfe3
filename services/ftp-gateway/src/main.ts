import { placeholderService, runService } from '@ferry/service';

await runService(placeholderService('ftp-gateway', '0.1.0'), { env: process.env, signals: process, exit: (code) => process.exit(code) });
