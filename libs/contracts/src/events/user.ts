import { z } from 'zod';
import { Cidr, NonNegativeInt, Username } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { Permissions } from './common.js';
import { defineEvent, type EventOf } from './define.js';

/** A home folder relative to the storage root: "alice", "teams/ops". */
export const HomeDir = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (p) => !p.startsWith('/') && !p.includes('\\') && !p.includes('\0') && p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'),
    'expected a relative folder such as "alice" or "teams/ops" (no leading "/", no "." or ".." segments, no backslashes)',
  );

export const UserProfile = z.object({
  home: HomeDir,
  permissions: Permissions,
  maxSessions: z.number().int().min(1).max(10_000),
  /** Empty means any client address. */
  allowedCidrs: z.array(Cidr).max(256),
  quotaBytes: NonNegativeInt.optional(),
  quotaFiles: NonNegativeInt.optional(),
});
export type UserProfile = z.infer<typeof UserProfile>;

export const UserProfileChanges = UserProfile.partial().refine((changes) => Object.keys(changes).length > 0, 'expected at least one profile field to change');
export type UserProfileChanges = z.infer<typeof UserProfileChanges>;

/** A PHC-style scrypt string: $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt b64>$<hash b64>. Never a password. */
export const PasswordHash = z.string().regex(/^\$scrypt\$ln=\d{1,2},r=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/, 'expected a PHC scrypt hash string');

/** Who issued an administrative change ("cli:root", "api:token"). */
export const Actor = z.string().min(1).max(128);

const userSubject = (data: { username: string }) => eventSubjects.user(data.username);

export const UserCreated = defineEvent(
  'ferry.user.created.v1',
  z.object({ username: Username, passwordHash: PasswordHash, profile: UserProfile, by: Actor }),
  userSubject,
);
export const UserPasswordChanged = defineEvent(
  'ferry.user.password_changed.v1',
  z.object({ username: Username, passwordHash: PasswordHash, by: Actor }),
  userSubject,
);
export const UserProfileChanged = defineEvent(
  'ferry.user.profile_changed.v1',
  z.object({ username: Username, changes: UserProfileChanges, by: Actor }),
  userSubject,
);
export const UserDisabled = defineEvent(
  'ferry.user.disabled.v1',
  z.object({ username: Username, reason: z.string().max(512).optional(), by: Actor }),
  userSubject,
);
export const UserEnabled = defineEvent('ferry.user.enabled.v1', z.object({ username: Username, by: Actor }), userSubject);
export const UserDeleted = defineEvent('ferry.user.deleted.v1', z.object({ username: Username, by: Actor }), userSubject);

export const userEvents = [UserCreated, UserPasswordChanged, UserProfileChanged, UserDisabled, UserEnabled, UserDeleted] as const;

export type UserCreated = EventOf<typeof UserCreated>;
export type UserPasswordChanged = EventOf<typeof UserPasswordChanged>;
export type UserProfileChanged = EventOf<typeof UserProfileChanged>;
export type UserDisabled = EventOf<typeof UserDisabled>;
export type UserEnabled = EventOf<typeof UserEnabled>;
export type UserDeleted = EventOf<typeof UserDeleted>;
export type UserEvent = UserCreated | UserPasswordChanged | UserProfileChanged | UserDisabled | UserEnabled | UserDeleted;
