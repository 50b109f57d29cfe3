import { runService } from '@ferry/service';
import { ftpGatewayService } from './service.js';

await runService(ftpGatewayService, { env: process.env, signals: process, exit: (code) => process.exit(code) });
