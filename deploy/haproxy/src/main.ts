import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { GatewayListError, parseGatewayList } from './gateways.js';
import { renderHaproxyConfig } from './render.js';

const USAGE = `Usage: node deploy/haproxy/dist/main.js --gateways FILE [--out FILE] [options]

Writes HAProxy's configuration for the gateways listed in FILE (one line each:
"id address control-port passive-range agent-port").

Options:
  --bind ADDR           address of the public frontends (default 0.0.0.0)
  --ftp-port N          FTP control port (default 21)
  --stats-bind ADDR     stats page address (default 127.0.0.1)
  --stats-port N        stats page and /metrics port (default 8404)
  --admin-socket PATH   runtime API socket (default /run/haproxy/admin.sock)
  --idle-timeout S      the gateways' FTP idle timeout in seconds (default 300)
  --tunnel-timeout S    longest transfer in seconds (default 86400)
  --maxconn N           global connection limit (default 8000; needs ~2N open files)
`;

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new GatewayListError(`--${name} must be a port number, got "${value}"`);
  return n;
}

function positive(name: string, value: string | undefined, fallback: number, unit: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new GatewayListError(`--${name} must be a whole number of ${unit}, got "${value}"`);
  return n;
}

try {
  const { values } = parseArgs({
    options: {
      gateways: { type: 'string' },
      out: { type: 'string' },
      bind: { type: 'string' },
      'ftp-port': { type: 'string' },
      'stats-bind': { type: 'string' },
      'stats-port': { type: 'string' },
      'admin-socket': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'tunnel-timeout': { type: 'string' },
      maxconn: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || values.gateways === undefined) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 64);
  }
  const gateways = parseGatewayList(await readFile(values.gateways, 'utf8'));
  const config = renderHaproxyConfig(gateways, {
    bindAddress: values.bind ?? '0.0.0.0',
    ftpPort: port('ftp-port', values['ftp-port'], 21),
    statsBind: values['stats-bind'] ?? '127.0.0.1',
    statsPort: port('stats-port', values['stats-port'], 8404),
    adminSocket: values['admin-socket'] ?? '/run/haproxy/admin.sock',
    ftpIdleTimeoutS: positive('idle-timeout', values['idle-timeout'], 300, 'seconds'),
    tunnelTimeoutS: positive('tunnel-timeout', values['tunnel-timeout'], 86_400, 'seconds'),
    maxConnections: positive('maxconn', values.maxconn, 8_000, 'connections'),
  });
  if (values.out) await writeFile(values.out, config);
  else process.stdout.write(config);
} catch (error) {
  process.stderr.write(`haproxy config: ${(error as Error).message}\n`);
  process.exit(error instanceof GatewayListError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 64 : 1);
}
