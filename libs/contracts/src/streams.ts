import { deadLetterSubjects, eventSubjects } from './subjects.js';

/**
 * JetStream streams, described without any NATS client types so that every
 * service and tool agrees on them; libs/bus turns these into stream configs.
 */
export interface StreamSpec {
  readonly name: string;
  readonly description: string;
  readonly subjects: readonly string[];
  /** 0 keeps messages forever. */
  readonly maxAgeMs: number;
  readonly replicas: number;
  /** Window in which a repeated Nats-Msg-Id is stored once. */
  readonly duplicateWindowMs: number;
  readonly storage: 'file' | 'memory';
  readonly retention: 'limits';
  readonly discard: 'old';
}

export interface StreamOptions {
  /** 1 locally, 3 in a cluster. */
  readonly replicas: number;
  /** How long activity (transfers, sessions, logins, fs) is kept; default 365 days. */
  readonly activityMaxAgeMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export const streamNames = {
  users: 'FERRY_USERS',
  activity: 'FERRY_ACTIVITY',
  health: 'FERRY_HEALTH',
  alerts: 'FERRY_ALERTS',
  deadLetters: 'FERRY_DEADLETTERS',
} as const;
export type StreamName = (typeof streamNames)[keyof typeof streamNames];

export function streamSpecs(options: StreamOptions): readonly StreamSpec[] {
  if (!Number.isInteger(options.replicas) || options.replicas < 1 || options.replicas > 5) {
    throw new RangeError(`stream replicas must be an integer from 1 to 5, got ${options.replicas}`);
  }
  const base = { replicas: options.replicas, duplicateWindowMs: DUPLICATE_WINDOW_MS, storage: 'file', retention: 'limits', discard: 'old' } as const;
  return [
    {
      ...base,
      name: streamNames.users,
      description: 'User aggregate events, one subject per user; kept forever (the system of record for credentials and profiles).',
      subjects: [eventSubjects.allUsers],
      maxAgeMs: 0,
    },
    {
      ...base,
      name: streamNames.activity,
      description: 'Logins, sessions, transfers and file operations.',
      subjects: [eventSubjects.allAuth, eventSubjects.allSessions, eventSubjects.allTransfers, eventSubjects.allFs],
      maxAgeMs: options.activityMaxAgeMs ?? 365 * DAY_MS,
    },
    {
      ...base,
      name: streamNames.health,
      description: 'Heartbeats and load of every service instance.',
      subjects: [eventSubjects.allHealth],
      maxAgeMs: DAY_MS,
    },
    {
      ...base,
      name: streamNames.alerts,
      description: 'Alerts fired and resolved, acknowledgements, silences and notifications.',
      subjects: [eventSubjects.allAlerts],
      maxAgeMs: 90 * DAY_MS,
    },
    {
      ...base,
      name: streamNames.deadLetters,
      description: 'Messages a consumer refused, with the reason.',
      subjects: [deadLetterSubjects.all],
      maxAgeMs: 30 * DAY_MS,
    },
  ];
}
