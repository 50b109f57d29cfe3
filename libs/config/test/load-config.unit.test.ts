import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  EX_CONFIG,
  commonServiceEnv,
  defaultInstanceId,
  envBool,
  envPort,
  envSecret,
  envUrl,
  loadConfig,
  loadConfigOrExit,
} from '../src/index.js';

const schema = z.object({
  ...commonServiceEnv,
  FTP_PORT: envPort(),
  FTP_TLS: envBool().prefault('false'),
  WEBHOOK_URL: envUrl({ protocols: ['https:'] }).optional(),
  FERRY_HMAC: envSecret({ minLength: 32 }),
  REDIS_PASSWORD: z.string().regex(/^[a-z]+$/).optional(),
});

const validEnv = { FTP_PORT: '2121', FERRY_HMAC: 'x'.repeat(32) };

function configErrorFrom(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the common defaults', () => {
    const config = loadConfig(schema, validEnv);
    expect(config).toMatchObject({
      NATS_URL: ['nats://127.0.0.1:4222'],
      FERRY_OPS_HOST: '127.0.0.1',
      FERRY_OPS_PORT: 0,
      LOG_LEVEL: 'info',
      FERRY_STREAM_REPLICAS: 1,
      FERRY_ACTIVITY_RETENTION: 365 * 86_400_000,
      FERRY_HEARTBEAT_INTERVAL: 5_000,
      FTP_PORT: 2121,
      FTP_TLS: false,
    });
    expect(config.FERRY_INSTANCE_ID).toBeUndefined();
  });

  it('reads a list of NATS servers', () => {
    const config = loadConfig(schema, { ...validEnv, NATS_URL: 'nats://a:4222, nats://b:4222' });
    expect(config.NATS_URL).toEqual(['nats://a:4222', 'nats://b:4222']);
  });

  it('treats an empty variable as not set', () => {
    expect(loadConfig(schema, { ...validEnv, LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('returns an object frozen all the way down', () => {
    const config = loadConfig(schema, validEnv);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.NATS_URL)).toBe(true);
    expect(() => {
      (config as { FTP_PORT: number }).FTP_PORT = 1;
    }).toThrow(TypeError);
  });

  it('reports every bad variable in one error', () => {
    const error = configErrorFrom(() =>
      loadConfig(schema, {
        FERRY_HMAC: validEnv.FERRY_HMAC,
        FTP_PORT: '70000',
        FTP_TLS: 'maybe',
        NATS_URL: 'nats://ok:4222,http://wrong',
        FERRY_INSTANCE_ID: 'gw.1',
        FERRY_HEARTBEAT_INTERVAL: 'soon',
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.name).toBe('ConfigError');
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      ['FERRY_HEARTBEAT_INTERVAL', 'FERRY_INSTANCE_ID', 'FTP_PORT', 'FTP_TLS', 'NATS_URL'].sort(),
    );
    expect(error.message).toContain('5 variables');
    expect(error.message).toMatch(/FTP_PORT: must be between 1 and 65535; expected a TCP port from 1 to 65535; received "70000"/);
    expect(error.message).toMatch(/NATS_URL: item 2: must use nats:\/\/, tls:\/\/.*received "nats:\/\/ok:4222,http:\/\/wrong"/);
  });

  it('says a missing required variable is required and not set', () => {
    const error = configErrorFrom(() => loadConfig(schema, { FERRY_HMAC: validEnv.FERRY_HMAC }));
    expect(error.message).toContain('FTP_PORT: is required; expected a TCP port from 1 to 65535; received nothing (not set)');
  });

  it('never shows the value of a secret, whatever its name', () => {
    const error = configErrorFrom(() =>
      loadConfig(schema, { FTP_PORT: '21', FERRY_HMAC: 'hunter2-short', REDIS_PASSWORD: 'Hunter2!' }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(['FERRY_HMAC', 'REDIS_PASSWORD']);
    expect(error.message).toContain('FERRY_HMAC: must be at least 32 characters long');
    expect(error.message).toContain('hidden because it is secret');
    const everything = `${error.message}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error.issues)}`;
    expect(everything).not.toContain('hunter2-short');
    expect(everything).not.toContain('Hunter2!');
  });

  it('keeps the zod error as the cause', () => {
    const error = configErrorFrom(() => loadConfig(schema, {}));
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });
});

describe('loadConfigOrExit', () => {
  it('writes the report and exits with EX_CONFIG (78)', () => {
    const written: string[] = [];
    const exitCodes: number[] = [];
    expect(() =>
      loadConfigOrExit(
        schema,
        { ...validEnv, FTP_PORT: 'ftp' },
        { exit: (code) => exitCodes.push(code), write: (text) => written.push(text) },
      ),
    ).toThrow(ConfigError);
    expect(EX_CONFIG).toBe(78);
    expect(exitCodes).toEqual([78]);
    expect(written.join('')).toContain('FTP_PORT');
  });

  it('returns the config when it is valid, without writing or exiting', () => {
    const calls: unknown[] = [];
    const config = loadConfigOrExit(schema, validEnv, { exit: (code) => calls.push(code), write: (text) => calls.push(text) });
    expect(config.FTP_PORT).toBe(2121);
    expect(calls).toEqual([]);
  });
});

describe('defaultInstanceId', () => {
  it('makes an id that FERRY_INSTANCE_ID would accept from any hostname', () => {
    const id = defaultInstanceId('gw-1.prod.example.com', 4242);
    expect(id).toBe('gw-1_prod_example_com-4242');
    expect(loadConfig(schema, { ...validEnv, FERRY_INSTANCE_ID: id }).FERRY_INSTANCE_ID).toBe(id);
  });
});
