import { createHmac, randomBytes } from 'node:crypto';

/**
 * The verified-credential cache (DESIGN.md): remembers, for a short time, that a
 * user name and password were verified, so repeated logins by scripts do not
 * pay a full scrypt each. Only an HMAC of name and password is kept, under a key
 * drawn at random per process, so the cache holds nothing reusable. Every event
 * of a user drops that user's entries (password, profile, status changes).
 */
export interface CredentialCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Map<string, number>>();
  private size = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: CredentialCacheOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** True when this exact name and password were verified less than the TTL ago. */
  has(username: string, password: string): boolean {
    if (this.options.ttlMs <= 0) return false;
    const forUser = this.entries.get(username);
    const digest = this.digest(username, password);
    const expiry = forUser?.get(digest);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    forUser?.delete(digest);
    this.size--;
    return false;
  }

  remember(username: string, password: string): void {
    if (this.options.ttlMs <= 0) return;
    if (this.size >= this.maxEntries) this.clear();
    let forUser = this.entries.get(username);
    if (forUser === undefined) {
      forUser = new Map();
      this.entries.set(username, forUser);
    }
    const digest = this.digest(username, password);
    if (!forUser.has(digest)) this.size++;
    forUser.set(digest, this.now() + this.options.ttlMs);
  }

  dropUser(username: string): void {
    const forUser = this.entries.get(username);
    if (forUser === undefined) return;
    this.size -= forUser.size;
    this.entries.delete(username);
  }

  clear(): void {
    this.entries.clear();
    this.size = 0;
  }

  get entryCount(): number {
    return this.size;
  }

  /** The HMAC that stands for a name and password (never the password itself): for keying work on them. */
  digest(username: string, password: string): string {
    return createHmac('sha256', this.key).update(username).update('\0').update(password).digest('base64');
  }
}
