import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../src/options.js';

const parse = (...argv: string[]) => parseOptions(argv, '/srv');

describe('the stack runner options', () => {
  it('starts its own single-node NATS with 1 replica by default', () => {
    expect(parse()).toMatchObject({ natsUrls: undefined, streamReplicas: 1, restoreFrom: undefined, dataDir: '/srv/.ferry' });
  });

  it('uses an external NATS cluster, with as many replicas as URLs (at most 3) unless told', () => {
    const urls = 'nats://127.0.0.1:4301,nats://127.0.0.1:4302,tls://nats-3.example:4222';
    expect(parse('--nats-url', urls)).toMatchObject({ natsUrls: urls.split(','), streamReplicas: 3 });
    expect(parse('--nats-url', 'nats://10.0.0.1:4222', '--stream-replicas', '1')).toMatchObject({ natsUrls: ['nats://10.0.0.1:4222'], streamReplicas: 1 });
  });

  it.each([
    [['--nats-url'], /--nats-url needs one or more NATS URLs/],
    [['--nats-url', '--gateways', '2'], /--nats-url needs one or more NATS URLs/],
    [['--nats-url', 'http://127.0.0.1:4222'], /"http:\/\/127\.0\.0\.1:4222" is not a NATS URL/],
    [['--nats-url', 'nats://127.0.0.1:4222,127.0.0.1:4223'], /"127\.0\.0\.1:4223" is not a NATS URL/],
    [['--nats-url', 'nats://127.0.0.1'], /is not a NATS URL with a host and port/],
    [['--stream-replicas', '0'], /--stream-replicas needs a number from 1 to 5/],
    [['--stream-replicas', 'three'], /--stream-replicas needs a number from 1 to 5/],
    [['--stream-replicas', '3'], /--stream-replicas 3 needs --nats-url with a NATS cluster/],
    [['--restore-from'], /--restore-from needs the folder of a backup/],
    [['--cpu-prof', '--gateways', '2'], /--cpu-prof needs the folder the profiles go to/],
  ])('refuses %j with a message that says what is expected', (argv, message) => {
    expect(() => parse(...argv)).toThrowError(UsageError);
    expect(() => parse(...argv)).toThrowError(message);
  });

  it('resolves the backup folder against the current directory', () => {
    expect(parse('--restore-from', 'backups/last')).toMatchObject({ restoreFrom: '/srv/backups/last' });
  });

  it('profiles nothing unless asked, and resolves the profile folder against the current directory', () => {
    expect(parse()).toMatchObject({ cpuProfDir: undefined });
    expect(parse('--cpu-prof', 'profiles')).toMatchObject({ cpuProfDir: '/srv/profiles' });
  });
});
