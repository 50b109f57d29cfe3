import { commonServiceEnv, envDuration, envInt, envPort, envSecret } from '@ferry/config';
import { z } from 'zod';

/** The whole environment contract of the auth service (documented in README.md). */
export const AuthEnv = z.object({
  ...commonServiceEnv,
  FERRY_API_HOST: z.string().trim().min(1).describe('the address the admin API binds').prefault('127.0.0.1'),
  FERRY_API_PORT: envPort({ allowZero: true }),
  FERRY_ADMIN_TOKEN: envSecret({ minLength: 32 }),
  AUTH_SCRYPT_LOG_N: envInt({ min: 1, max: 20 }).describe('log2 of the scrypt cost N, 1-20').prefault('15'),
  AUTH_SCRYPT_R: envInt({ min: 1, max: 32 }).describe('the scrypt block size r, 1-32').prefault('8'),
  AUTH_SCRYPT_P: envInt({ min: 1, max: 16 }).describe('the scrypt parallelism p, 1-16').prefault('3'),
  AUTH_PASSWORD_MIN_LENGTH: envInt({ min: 1, max: 1024 }).describe('the minimum password length in characters, 1-1024').prefault('12'),
  AUTH_CREDENTIAL_CACHE_TTL: envDuration({ maxMs: 60 * 60 * 1000 }).describe('how long a verified password is remembered (0 turns the cache off, at most 1h)').prefault('60s'),
  AUTH_LOGIN_EVENT_BUFFER: envInt({ min: 1, max: 1_000_000 }).describe('login events held while NATS is slow, before logins are refused').prefault('10000'),
});
export type AuthConfig = z.output<typeof AuthEnv>;
