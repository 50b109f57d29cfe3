// A service with no behaviour of its own, started as a real process by the
// watchdog tests: it publishes heartbeats, and a clean stop on SIGTERM.
import { placeholderService, runService } from '@ferry/service';

await runService(placeholderService('session', 'test'), { env: process.env, signals: process, exit: (code) => process.exit(code) });
