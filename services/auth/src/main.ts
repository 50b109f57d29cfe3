import { runService } from '@ferry/service';
import { authService } from './service.js';

await runService(authService, { env: process.env, signals: process, exit: (code) => process.exit(code) });
