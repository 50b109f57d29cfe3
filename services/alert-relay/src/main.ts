import { placeholderService, runService } from '@ferry/service';

await runService(placeholderService('alert-relay', '0.1.0'), { env: process.env, signals: process, exit: (code) => process.exit(code) });
