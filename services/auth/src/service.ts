import { BufferedPublisher, serve, type Responder } from '@ferry/bus';
import { AuthLogin } from '@ferry/contracts';
import type { ServiceDefinition, ServiceRuntime, StartedService } from '@ferry/service';
import { CredentialCache } from './adapters/credential-cache.js';
import { createPasswordHasher, type PasswordHasher } from './adapters/passwords.js';
import { UserProjection } from './adapters/projection.js';
import { UserEventStore } from './adapters/user-store.js';
import { AuthEnv, type AuthConfig } from './config.js';
import { buildApp } from './http/app.js';
import { loginHandler } from './login.js';
import { UserAdmin } from './user-admin.js';

export const AUTH_VERSION = '0.2.0';

/** Users (event-sourced on FERRY_USERS), `ferry.rpc.auth.login` and the admin API. */
export const authService: ServiceDefinition<typeof AuthEnv> = {
  name: 'auth',
  version: AUTH_VERSION,
  config: AuthEnv,
  start: startAuth,
};

async function startAuth(runtime: ServiceRuntime, config: AuthConfig): Promise<StartedService> {
  const hasher = await createPasswordHasher({ logN: config.AUTH_SCRYPT_LOG_N, r: config.AUTH_SCRYPT_R, p: config.AUTH_SCRYPT_P });
  const cache = new CredentialCache({ ttlMs: config.AUTH_CREDENTIAL_CACHE_TTL });
  const projection = new UserProjection(runtime.bus, { onEvent: (event) => cache.dropUser(event.data.username) });
  await projection.start();
  const admin = new UserAdmin({ runtime, logger: runtime.logger, store: new UserEventStore(runtime.bus), projection, hasher, policy: { minLength: config.AUTH_PASSWORD_MIN_LENGTH } });
  const logins = startLoginResponder(runtime, config, { projection, hasher, cache });

  const app = buildApp({ admin, adminToken: config.FERRY_ADMIN_TOKEN, logger: runtime.logger, version: AUTH_VERSION });
  const apiUrl = await app.listen({ host: config.FERRY_API_HOST, port: config.FERRY_API_PORT });
  runtime.logger.info({ api: apiUrl, caughtUp: projection.caughtUp }, 'admin API listening');
  void projection.waitUntilCaughtUp().then(() => runtime.logger.info({ users: projection.userCount, ...projection.progress() }, 'users loaded from FERRY_USERS'));

  return {
    readiness: () => {
      const { applied, target } = projection.progress();
      if (projection.failure !== undefined) return { users: { ok: false, detail: `FERRY_USERS subscription failed: ${projection.failure}` } };
      return { users: projection.caughtUp ? { ok: true, users: projection.userCount } : { ok: false, detail: `replaying FERRY_USERS: ${applied} of ${target}` } };
    },
    gauges: () => ({ users: projection.userCount, credentialCacheEntries: cache.entryCount, loginEventBacklog: logins.publisher.depth }),
    stop: async () => {
      await app.close();
      await logins.responder.stop();
      await projection.stop();
      const { unsent } = await logins.publisher.stop(5_000);
      if (unsent > 0) runtime.logger.warn({ unsent }, 'login events not published before stop');
    },
  };
}

/** Answers `ferry.rpc.auth.login`; login events go out through a buffered publisher. */
function startLoginResponder(
  runtime: ServiceRuntime,
  config: AuthConfig,
  deps: { projection: UserProjection; hasher: PasswordHasher; cache: CredentialCache },
): { responder: Responder; publisher: BufferedPublisher } {
  const publisher = new BufferedPublisher(runtime.bus, { capacity: config.AUTH_LOGIN_EVENT_BUFFER, logger: runtime.logger });
  const logins = runtime.metrics.counter({ name: 'ferry_auth_logins_total', help: 'Logins answered, by outcome, reason and whether the credential cache answered', labelNames: ['outcome', 'reason', 'cached'] });
  const handler = loginHandler({
    runtime,
    ...deps,
    publish: (event) => publisher.offer(event),
    onOutcome: (outcome, { reason, cached }) => logins.inc({ outcome, reason: reason ?? '', cached: String(cached) }),
  });
  return { responder: serve(runtime.bus, AuthLogin, handler), publisher };
}
