import type { Redis } from 'ioredis';
import { banSubject } from '../domain/addresses.js';
import { throttleSchedule, type AccountPolicy, type BanPolicy, type BlockState } from '../domain/policy.js';
import { blockState, recordFailure, recordSuccess } from './lua/ban-scripts.js';
import { asNumber, asStrings, guarded, KEY_PREFIX } from './store-guard.js';

export interface FailureInput {
  readonly eventId: string;
  readonly eventTimeMs: number;
  readonly nowMs: number;
  readonly clientIp: string;
  readonly username: string;
  /** False for an allow-listed address: it is never counted towards an address ban. */
  readonly countAddress: boolean;
}

export interface FailureOutcome {
  readonly duplicate: boolean;
  readonly newlyBanned: boolean;
  readonly newlyThrottled: boolean;
}

export interface AddressBan {
  /** An IPv4 address or an IPv6 /64 (see banSubject). */
  readonly address: string;
  readonly expiresAt: string;
  readonly failures: number;
}

export interface AccountThrottle {
  readonly username: string;
  readonly expiresAt: string;
  readonly strike: number;
}

/** Address bans and account throttles in Redis, shared by every session instance. */
export class BanStore {
  private readonly delays: readonly number[];

  constructor(
    private readonly redis: Redis,
    private readonly bans: BanPolicy,
    private readonly accounts: AccountPolicy,
    private readonly prefix = KEY_PREFIX,
  ) {
    this.delays = throttleSchedule(accounts);
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id === '' ? '' : `:${id}`}`;
  }

  async recordFailure(input: FailureInput): Promise<FailureOutcome> {
    const { username } = input;
    const ip = banSubject(input.clientIp);
    const keys = [
      this.key('seen', input.eventId),
      this.key('ipfail', ip),
      this.key('ban', ip),
      this.key('bans'),
      this.key('userfail', username),
      this.key('throttle', username),
      this.key('throttles'),
      this.key('strikes', username),
      this.key('known', username),
    ];
    const dedupeMs = Math.max(this.bans.windowMs, this.accounts.windowMs);
    const args = [
      input.eventId,
      Math.min(input.eventTimeMs, input.nowMs),
      input.nowMs,
      ip,
      username,
      input.countAddress ? '1' : '0',
      this.bans.threshold,
      this.bans.windowMs,
      this.bans.durationMs,
      this.accounts.threshold,
      this.accounts.windowMs,
      this.accounts.strikeMemoryMs,
      dedupeMs,
      ...this.delays,
    ];
    const reply = await guarded(() => recordFailure.run(this.redis, keys, args));
    const [duplicate, banned, throttled] = (reply as unknown[]).map(asNumber);
    return { duplicate: duplicate === 1, newlyBanned: banned === 1, newlyThrottled: throttled === 1 };
  }

  async recordSuccess(username: string, clientIp: string, nowMs: number): Promise<void> {
    const keys = [this.key('known', username), this.key('userfail', username), this.key('strikes', username)];
    await guarded(() => recordSuccess.run(this.redis, keys, [banSubject(clientIp), nowMs, this.accounts.knownAddressTtlMs]));
  }

  async blockState(clientIp: string, username: string | undefined, nowMs: number): Promise<BlockState> {
    const user = username ?? '';
    const subject = banSubject(clientIp);
    const keys = [this.key('ban', subject), this.key('throttle', user), this.key('known', user)];
    const reply = await guarded(() => blockState.run(this.redis, keys, [subject, nowMs, username === undefined ? '0' : '1']));
    const [ban = -1, throttle = -1] = (reply as unknown[]).map(asNumber);
    return { addressBanMs: ban > 0 ? ban : null, accountThrottleMs: throttle > 0 ? throttle : null };
  }

  async listAddressBans(nowMs: number): Promise<AddressBan[]> {
    const entries = await this.liveIndex('bans', nowMs);
    if (entries.length === 0) return [];
    const counts = await guarded(() => this.redis.mget(...entries.map(([subject]) => this.key('ban', subject))));
    return entries.flatMap(([address, expiresAt], i) => {
      const failures = counts[i];
      return failures == null ? [] : [{ address, expiresAt: new Date(expiresAt).toISOString(), failures: Number(failures) }];
    });
  }

  async listAccountThrottles(nowMs: number): Promise<AccountThrottle[]> {
    const entries = await this.liveIndex('throttles', nowMs);
    if (entries.length === 0) return [];
    const strikes = await guarded(() => this.redis.mget(...entries.map(([user]) => this.key('throttle', user))));
    return entries.flatMap(([username, expiresAt], i) => {
      const strike = strikes[i];
      return strike == null ? [] : [{ username, expiresAt: new Date(expiresAt).toISOString(), strike: Number(strike) }];
    });
  }

  /** Lifts an address ban (by its subject: an IPv4 address or an IPv6 /64) and forgets the failures counted against it; false when it was not banned. */
  async liftBan(subject: string): Promise<boolean> {
    return guarded(async () => {
      const [[, removed] = []] = (await this.redis.multi().del(this.key('ban', subject)).zrem(this.key('bans'), subject).del(this.key('ipfail', subject)).exec()) ?? [];
      return asNumber(removed) === 1;
    });
  }

  /** Lifts an account throttle, its failure count and its strikes; false when it was not throttled. */
  async liftThrottle(username: string): Promise<boolean> {
    return guarded(async () => {
      const [[, removed] = []] =
        (await this.redis
          .multi()
          .del(this.key('throttle', username))
          .zrem(this.key('throttles'), username)
          .del(this.key('userfail', username), this.key('strikes', username))
          .exec()) ?? [];
      return asNumber(removed) === 1;
    });
  }

  private async liveIndex(index: 'bans' | 'throttles', nowMs: number): Promise<[string, number][]> {
    const flat = asStrings(await guarded(() => this.redis.zrangebyscore(this.key(index), `(${nowMs}`, '+inf', 'WITHSCORES')));
    const entries: [string, number][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i] ?? '', Number(flat[i + 1])]);
    return entries;
  }
}
