import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { AuthLogin, SessionAdmit, SessionClose, SessionHeartbeat, SessionOpen, type Permissions, type UserProfile } from '@ferry/contracts';
import { connectBus, serve, type Bus, type Responder } from '@ferry/bus';

/**
 * Stand-ins for the auth and session services until they land: real NATS
 * responders on the real contracts, with a real (scrypt) password check
 * against an in-test user table and a per-user session limit.
 */
export interface FakeUser {
  readonly password: string;
  readonly home?: string;
  readonly permissions?: Partial<Permissions>;
  readonly maxSessions?: number;
}

interface StoredUser {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly profile: UserProfile;
}

export interface FakePlatform {
  readonly bus: Bus;
  readonly open: Map<string, { username: string; gateway: string }>;
  readonly closed: Array<{ sessionId: string; reason: string }>;
  readonly logins: Array<{ username: string; clientIp: string }>;
  banned: Set<string>;
  /** Forgets a session, as if it expired: the next heartbeat reports it unknown. */
  forget(sessionId: string): void;
  stop(): Promise<void>;
}

const ALL: Permissions = { read: true, write: true, delete: true, mkdir: true, rename: true };

export async function startFakePlatform(natsUrl: string, users: Record<string, FakeUser>): Promise<FakePlatform> {
  const bus = await connectBus({ servers: [natsUrl], name: 'fake-platform' });
  const table = new Map<string, StoredUser>();
  for (const [name, user] of Object.entries(users)) {
    const salt = randomBytes(16);
    table.set(name, {
      salt,
      hash: scryptSync(user.password, salt, 32, { N: 1024 }),
      profile: { home: user.home ?? name, permissions: { ...ALL, ...user.permissions }, maxSessions: user.maxSessions ?? 100, allowedCidrs: [] },
    });
  }
  const open = new Map<string, { username: string; gateway: string }>();
  const platform: FakePlatform = {
    bus,
    open,
    closed: [],
    logins: [],
    banned: new Set(),
    forget: (sessionId) => void open.delete(sessionId),
    stop: async () => {
      await Promise.all(responders.map((responder) => responder.stop()));
      await bus.close();
    },
  };
  const responders: Responder[] = [
    serve(bus, SessionAdmit, ({ clientIp }) => Promise.resolve(platform.banned.has(clientIp) ? { admitted: false as const, reason: 'banned' } : { admitted: true as const })),
    serve(bus, AuthLogin, ({ username, password, clientIp }) => {
      platform.logins.push({ username, clientIp });
      const user = table.get(username);
      if (user === undefined) return Promise.resolve({ outcome: 'refused' as const });
      const given = scryptSync(password, user.salt, 32, { N: 1024 });
      return Promise.resolve(timingSafeEqual(given, user.hash) ? { outcome: 'accepted' as const, username, profile: user.profile } : { outcome: 'refused' as const });
    }),
    serve(bus, SessionOpen, ({ sessionId, username, gateway, maxSessions }) => {
      const mine = [...open.values()].filter((session) => session.username === username).length;
      if (mine >= maxSessions) return Promise.resolve({ opened: false as const, reason: 'session_limit', limit: maxSessions });
      open.set(sessionId, { username, gateway });
      return Promise.resolve({ opened: true as const });
    }),
    serve(bus, SessionHeartbeat, ({ sessionIds }) => Promise.resolve({ refreshed: sessionIds.filter((id) => open.has(id)).length, unknown: sessionIds.filter((id) => !open.has(id)) })),
    serve(bus, SessionClose, ({ sessionId, reason }) => {
      platform.closed.push({ sessionId, reason });
      return Promise.resolve({ closed: open.delete(sessionId) });
    }),
  ];
  return platform;
}
