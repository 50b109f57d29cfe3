import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BUILT_IN_CONFIG_JSON, describeConfigIssue, RelayConfigSchema, type RelayConfig } from '../domain/config.js';

/**
 * ALERT_RELAY_CONFIG: the path of the JSON rules/routes/receivers file, read and
 * validated while the environment is parsed, so a bad file stops the service with
 * exit 78 and a message naming the path and the field (never a webhook URL).
 * Unset: the built-in rules with no chat receiver (alerts are still recorded as events).
 */
export function envRelayConfigFile() {
  return z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((path, ctx): RelayConfig & { readonly source: string } => {
      if (path === undefined) return { ...RelayConfigSchema.parse(BUILT_IN_CONFIG_JSON), source: 'built-in' };
      const loaded = readRelayConfig(path);
      if (loaded.ok) return { ...loaded.config, source: path };
      ctx.addIssue({ code: 'custom', message: loaded.problem });
      return z.NEVER;
    })
    .describe('the path of the alert-relay JSON config file (rules, routes, receivers)');
}

export type ConfigFileResult = { readonly ok: true; readonly config: RelayConfig } | { readonly ok: false; readonly problem: string };

export function readRelayConfig(path: string): ConfigFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, problem: `cannot read ${path} (${typeof code === 'string' ? code : 'read error'})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${path} is not valid JSON` };
  }
  const parsed = RelayConfigSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: `${path}: ${describeConfigIssue(parsed.error)}` };
  return { ok: true, config: parsed.data };
}
