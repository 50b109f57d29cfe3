import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { banSubject, banSubjectOfListed } from '../src/domain/addresses.js';

describe('what an address ban applies to', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b:1:2::203.0.113.7', '64:ff9b:1:2::/64'],
  ])('%s is banned as %s', (ip, subject) => {
    expect(banSubject(ip)).toBe(subject);
  });

  it('puts every address of one IPv6 /64 under the same ban, and another /64 under another', () => {
    expect(banSubject('2001:db8:1:2::a')).toBe(banSubject('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(banSubject('2001:db8:1:3::a')).not.toBe(banSubject('2001:db8:1:2::a'));
  });

  it('reads an address ban named by an IP or by a listed /64, and nothing else', () => {
    expect(banSubjectOfListed('203.0.113.7', isIP)).toBe('203.0.113.7');
    expect(banSubjectOfListed('2001:db8:1:2::77', isIP)).toBe('2001:db8:1:2::/64');
    expect(banSubjectOfListed('2001:db8:1:2::/64', isIP)).toBe('2001:db8:1:2::/64');
    expect(banSubjectOfListed('2001:DB8:1:2::/64', isIP)).toBe('2001:db8:1:2::/64');
    for (const bad of ['not-an-ip', '203.0.113.0/24', '2001:db8::/48', '2001:db8::/64/1', '', '203.0.113.7/64']) {
      expect(banSubjectOfListed(bad, isIP), bad).toBeNull();
    }
  });
});
