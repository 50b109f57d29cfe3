import { runService } from '@ferry/service';
import { sessionService } from './service.js';

await runService(sessionService, { env: process.env, signals: process, exit: (code) => process.exit(code) });
