import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A self-signed certificate for explicit FTPS on the local stack, made once with
 * openssl and kept in the data dir (clients will ask to trust it, as with any
 * self-signed server). Production passes its own with GATEWAY_TLS_CERT/KEY.
 */
export async function ensureLocalCertificate(dataDir: string): Promise<{ cert: string; key: string }> {
  const dir = join(dataDir, 'tls');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const present = await access(cert).then(
    () => access(key).then(() => true),
    () => false,
  );
  if (!present) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '825', '-subj', '/CN=ferry-local', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert]);
  }
  return { cert, key };
}
