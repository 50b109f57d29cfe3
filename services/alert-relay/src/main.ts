import { runService } from '@ferry/service';
import { alertRelayService } from './service.js';

await runService(alertRelayService, { env: process.env, signals: process, exit: (code) => process.exit(code) });
