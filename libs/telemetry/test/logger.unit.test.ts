import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, currentTraceIds, instrument, REDACTED } from '../src/index.js';
import { createTestTracing, type TestTracing } from '../src/testing.js';
import { captureLogLines } from './log-capture.js';

function newLogger() {
  const { destination, lines } = captureLogLines();
  const logger = createLogger({ service: 'ftp-gateway', instance: 'gw-1', level: 'debug', destination });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with service, instance, a level label and the message', () => {
    const { logger, lines } = newLogger();
    logger.info({ sessionId: 's-1' }, 'session opened');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'ftp-gateway',
      instance: 'gw-1',
      level: 'info',
      msg: 'session opened',
      sessionId: 's-1',
    });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('respects the level', () => {
    const { destination, lines } = captureLogLines();
    const logger = createLogger({ service: 's', instance: 'i', level: 'warn', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });

  it('redacts passwords, tokens, secrets and authorization at any depth', () => {
    const { logger, lines } = newLogger();
    const request = {
      user: { name: 'alice', password: 'x' },
      token: 't0k3n',
      nested: [{ deeper: { secret: 's3cr3t', apiKey: 'k', api_key: 'k2', privateKey: 'pem' } }],
      headers: { Authorization: 'Bearer abc', cookie: 'sid=1' },
      passivePorts: '30000-30009',
    };
    logger.info({ request }, 'login');
    const line = JSON.stringify(lines[0]);
    for (const secret of ['"x"', 't0k3n', 's3cr3t', 'Bearer abc', 'sid=1', '"k"', '"k2"', 'pem']) {
      expect(line).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      request: {
        user: { name: 'alice', password: REDACTED },
        token: REDACTED,
        nested: [{ deeper: { secret: REDACTED, apiKey: REDACTED, api_key: REDACTED, privateKey: REDACTED } }],
        headers: { Authorization: REDACTED, cookie: REDACTED },
        passivePorts: '30000-30009',
      },
    });
  });

  it('leaves the logged object untouched', () => {
    const { logger } = newLogger();
    const payload = { user: { password: 'x' } };
    logger.info(payload, 'login');
    expect(payload.user.password).toBe('x');
  });

  it('redacts child bindings too', () => {
    const { logger, lines } = newLogger();
    logger.child({ token: 'abc', sessionId: 's-2' }).info('hello');
    expect(lines[0]).toMatchObject({ token: REDACTED, sessionId: 's-2' });
  });

  it('keeps an error stack and cause, and redacts fields on errors', () => {
    const { logger, lines } = newLogger();
    const failure = Object.assign(new Error('upstream refused', { cause: new Error('ECONNRESET') }), {
      config: { headers: { authorization: 'Bearer leak' } },
    });
    logger.error({ err: failure }, 'call failed');
    logger.error({ wrapped: { err: failure } }, 'nested');
    const [direct, nested] = lines;
    expect(direct).toMatchObject({ err: { type: 'Error', message: 'upstream refused' } });
    expect(String((direct?.err as { stack: string }).stack)).toContain('upstream refused');
    expect(direct).toMatchObject({ err: { cause: { message: 'ECONNRESET' } } });
    expect(JSON.stringify(lines)).not.toContain('Bearer leak');
    expect(nested).toMatchObject({ wrapped: { err: { message: 'upstream refused' } } });
  });

  it('serialises an error passed as the first argument', () => {
    const { logger, lines } = newLogger();
    logger.error(new Error('boom'), 'failed');
    expect(lines[0]).toMatchObject({ msg: 'failed', err: { type: 'Error', message: 'boom' } });
    expect(String((lines[0]?.err as { stack: string }).stack)).toContain('boom');
  });

  it('survives circular objects', () => {
    const { logger, lines } = newLogger();
    const loop: Record<string, unknown> = { name: 'loop', password: 'p' };
    loop.self = loop;
    logger.info({ loop }, 'circular');
    expect(lines[0]).toMatchObject({ loop: { name: 'loop', password: REDACTED } });
    expect(JSON.stringify(lines[0])).not.toContain('"p"');
  });

  it('has no trace fields outside a span', () => {
    const { logger, lines } = newLogger();
    logger.info('no span');
    expect(lines[0]).not.toHaveProperty('trace_id');
  });
});

describe('createLogger with tracing on', () => {
  let tracing: TestTracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
  });

  it('adds trace_id and span_id of the active span', async () => {
    tracing = createTestTracing();
    const { logger, lines } = newLogger();
    const ids = await instrument({
      name: 'login',
      fn: () => {
        logger.info('inside');
        return currentTraceIds();
      },
    });
    expect(ids).toBeDefined();
    expect(lines[0]).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId });
  });
});

describe('createLogger child loggers', () => {
  it('redacts bindings of grandchildren and of setBindings', () => {
    const { logger, lines } = newLogger();
    const grandchild = logger.child({ sessionId: 's-3' }).child({ auth: { password: 'pw' } });
    grandchild.info('deep');
    grandchild.setBindings({ apiKey: 'k-1' });
    grandchild.info('rebound');
    expect(lines[0]).toMatchObject({ sessionId: 's-3', auth: { password: REDACTED } });
    expect(lines[1]).toMatchObject({ apiKey: REDACTED });
    expect(JSON.stringify(lines)).not.toMatch(/"pw"|k-1/);
  });
});
