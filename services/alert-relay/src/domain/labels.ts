import { createHash } from 'node:crypto';

export type LabelSet = Readonly<Record<string, string>>;

/** Alertmanager-style matcher: `name="value"`, `name!="value"`, `name=~"re"`, `name!~"re"`. */
export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

/** A stable hash of a label set (sorted names), like Alertmanager's fingerprint: 16 hex digits. */
export function fingerprintOf(labels: LabelSet): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((name) => `${name}\u00ff${labels[name] ?? ''}`)
    .join('\u00fe');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** An unset label matches as the empty string, as in Alertmanager. Regexes are anchored. */
export function matcherMatches(matcher: Matcher, labels: LabelSet): boolean {
  const value = labels[matcher.name] ?? '';
  const hit = matcher.isRegex ? new RegExp(`^(?:${matcher.value})$`).test(value) : value === matcher.value;
  return matcher.isEqual ? hit : !hit;
}

export function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  return matchers.every((matcher) => matcherMatches(matcher, labels));
}

export function isValidRegex(source: string): boolean {
  try {
    new RegExp(`^(?:${source})$`);
    return true;
  } catch {
    return false;
  }
}

/** Short, stable id from any parts (notification ids, group key digests, dedup keys). */
export function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

const SEVERITY_NAMES = new Set(['critical', 'warning', 'info']);
export const severityOf = (labels: Readonly<Record<string, string>>): 'critical' | 'warning' | 'info' =>
  SEVERITY_NAMES.has(labels.severity ?? '') ? (labels.severity as 'critical' | 'warning' | 'info') : 'warning';
export const alertNameOf = (labels: Readonly<Record<string, string>>): string => (labels.alertname ?? 'UnnamedAlert').slice(0, 128);
