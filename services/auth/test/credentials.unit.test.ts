import { describe, expect, it } from 'vitest';
import { PasswordHash } from '@ferry/contracts';
import { CredentialCache } from '../src/adapters/credential-cache.js';
import { createPasswordHasher, parsePhc } from '../src/adapters/passwords.js';

describe('scrypt password hashes', () => {
  it('are PHC strings with the configured parameters that the contract accepts', async () => {
    const hasher = await createPasswordHasher({ logN: 5, r: 4, p: 2 });
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$scrypt\$ln=5,r=4,p=2\$/);
    expect(PasswordHash.safeParse(hash).success).toBe(true);
    expect(hash).not.toContain('correct horse battery');
  });

  it('use a fresh random salt for every hash', async () => {
    const hasher = await createPasswordHasher({ logN: 4, r: 8, p: 1 });
    const [a, b] = [await hasher.hash('same password!'), await hasher.hash('same password!')];
    expect(a).not.toBe(b);
    expect(parsePhc(a)?.salt.equals(parsePhc(b)!.salt)).toBe(false);
  });

  it('verify the right password and refuse a wrong one', async () => {
    const hasher = await createPasswordHasher({ logN: 4, r: 8, p: 1 });
    const hash = await hasher.hash('correct horse battery');
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse batterz', hash)).resolves.toBe(false);
    await expect(hasher.verify('', hash)).resolves.toBe(false);
  });

  it('verify with the parameters stored in the hash, not the current ones', async () => {
    const old = await (await createPasswordHasher({ logN: 5, r: 2, p: 1 })).hash('an old password');
    const current = await createPasswordHasher({ logN: 4, r: 8, p: 1 });
    await expect(current.verify('an old password', old)).resolves.toBe(true);
  });

  it('treat a malformed hash as a mismatch instead of throwing', async () => {
    const hasher = await createPasswordHasher({ logN: 4, r: 8, p: 1 });
    for (const bad of ['', 'plain', '$scrypt$ln=0,r=8,p=1$c2FsdA$aGFzaA', '$argon2id$v=19$m=65536$c2FsdA$aGFzaA']) {
      await expect(hasher.verify('whatever password', bad)).resolves.toBe(false);
    }
  });

  it('provide a dummy hash that no password matches', async () => {
    const hasher = await createPasswordHasher({ logN: 4, r: 8, p: 1 });
    expect(PasswordHash.safeParse(hasher.dummyHash).success).toBe(true);
    await expect(hasher.verify('', hasher.dummyHash)).resolves.toBe(false);
  });
});

describe('verified-credential cache', () => {
  it('remembers a verified name and password until the TTL passes', () => {
    let now = 1_000;
    const cache = new CredentialCache({ ttlMs: 60_000, now: () => now });
    cache.remember('alice', 'correct horse battery');
    expect(cache.has('alice', 'correct horse battery')).toBe(true);
    expect(cache.has('alice', 'correct horse batterz')).toBe(false);
    expect(cache.has('bob', 'correct horse battery')).toBe(false);
    now += 60_000;
    expect(cache.has('alice', 'correct horse battery')).toBe(false);
    expect(cache.entryCount).toBe(0);
  });

  it('drops every entry of a user and only that user', () => {
    const cache = new CredentialCache({ ttlMs: 60_000 });
    cache.remember('alice', 'password one!');
    cache.remember('alice', 'password two!');
    cache.remember('bob', 'password three');
    cache.dropUser('alice');
    expect(cache.has('alice', 'password one!')).toBe(false);
    expect(cache.has('alice', 'password two!')).toBe(false);
    expect(cache.has('bob', 'password three')).toBe(true);
    expect(cache.entryCount).toBe(1);
  });

  it('does not confuse name and password boundaries', () => {
    const cache = new CredentialCache({ ttlMs: 60_000 });
    cache.remember('ab', 'cdefghijklmnop');
    expect(cache.has('abc', 'defghijklmnop')).toBe(false);
  });

  it('is off with a TTL of 0', () => {
    const cache = new CredentialCache({ ttlMs: 0 });
    cache.remember('alice', 'correct horse battery');
    expect(cache.has('alice', 'correct horse battery')).toBe(false);
  });

  it('stays bounded', () => {
    const cache = new CredentialCache({ ttlMs: 60_000, maxEntries: 3 });
    for (const name of ['a', 'b', 'c', 'd']) cache.remember(name, 'password');
    expect(cache.entryCount).toBeLessThanOrEqual(3);
  });
});

