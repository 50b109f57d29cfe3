import { describe, expect, it } from 'vitest';
import { bearerTokenChecker } from '../src/index.js';

const TOKEN = 'x'.repeat(40);
const check = bearerTokenChecker(TOKEN);

describe('the bearer token check', () => {
  it('accepts exactly the configured token, whatever the case of the scheme', () => {
    expect(check(`Bearer ${TOKEN}`)).toBe(true);
    expect(check(`bearer ${TOKEN}`)).toBe(true);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', TOKEN, `Bearer ${'x'.repeat(39)}`, `Bearer ${'x'.repeat(41)}`, `Basic ${TOKEN}`, `Bearer ${'y'.repeat(40)}`, `Bearer ${TOKEN} extra`])('refuses %j', (header) => {
    expect(check(header)).toBe(false);
  });
});
