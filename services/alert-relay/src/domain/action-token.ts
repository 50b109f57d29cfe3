import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tokens carried by the Acknowledge / Silence buttons: base64url(JSON claims) "."
 * base64url(HMAC-SHA256(claims)). They name one action on one group and expire.
 */
export type ActionKind = 'ack' | 'silence';

export interface ActionClaims {
  readonly action: ActionKind;
  readonly groupKey: string;
  /** Expiry, epoch ms. */
  readonly exp: number;
}

export type TokenCheck = { readonly ok: true; readonly claims: ActionClaims } | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_action' };

const mac = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest();

export function signActionToken(claims: ActionClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(payload, secret).toString('base64url')}`;
}

export function verifyActionToken(token: string, secret: string, now: number, expected: ActionKind): TokenCheck {
  const [payload, signature, ...rest] = token.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0 || payload === '' || signature === '') return { ok: false, reason: 'malformed' };
  const given = Buffer.from(signature, 'base64url');
  const wanted = mac(payload, secret);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'bad_signature' };
  const claims = parseClaims(payload);
  if (claims === undefined) return { ok: false, reason: 'malformed' };
  if (claims.exp <= now) return { ok: false, reason: 'expired' };
  if (claims.action !== expected) return { ok: false, reason: 'wrong_action' };
  return { ok: true, claims };
}

function parseClaims(payload: string): ActionClaims | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<ActionClaims>;
    if ((value.action === 'ack' || value.action === 'silence') && typeof value.groupKey === 'string' && typeof value.exp === 'number') {
      return { action: value.action, groupKey: value.groupKey, exp: value.exp };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
