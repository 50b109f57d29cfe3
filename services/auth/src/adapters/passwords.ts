import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt password hashes as PHC strings: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`
 * (salt and hash in unpadded standard base64). The parameters travel with the
 * hash, so raising them in config affects new hashes only and old ones still verify.
 */
export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time comparison; false (never a throw) for a malformed hash. */
  verify(password: string, phc: string): Promise<boolean>;
  /** A hash of a random secret with the current parameters: unknown users are checked against it, so they cost one scrypt too. */
  readonly dummyHash: string;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)={0,2}\$([A-Za-z0-9+/]+)={0,2}$/;

export async function createPasswordHasher(params: ScryptParams): Promise<PasswordHasher> {
  const hash = async (password: string): Promise<string> => {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, params, KEY_BYTES);
    return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
  };
  const dummyHash = await hash(randomBytes(32).toString('base64'));
  return { hash, verify, dummyHash };
}

async function verify(password: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  if (parsed === undefined) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

export function parsePhc(phc: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const match = PHC.exec(phc);
  if (match === null) return undefined;
  const [, ln, r, p, salt, hash] = match;
  const params = { logN: Number(ln), r: Number(r), p: Number(p) };
  if (params.logN < 1 || params.r < 1 || params.p < 1) return undefined;
  return { params, salt: Buffer.from(salt ?? '', 'base64'), hash: Buffer.from(hash ?? '', 'base64') };
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
