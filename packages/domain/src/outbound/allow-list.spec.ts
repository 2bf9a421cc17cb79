import { allowEntryProblem, allowsAddress, allowsName, parseAllowList } from './allow-list';
import { parseIp } from './ip-address';

describe('OUTBOUND_ALLOW', () => {
  const list = parseAllowList([
    'rp.internal',
    '*.dev.example',
    '10.1.0.0/16',
    '127.0.0.1',
    'fd00::/8',
    '[::1]',
    ' ',
  ]);
  const ip = (text: string) => parseIp(text)!;

  it('matches host names exactly, wildcards by suffix, case-insensitively', () => {
    expect(allowsName(list, 'rp.internal')).toBe(true);
    expect(allowsName(list, 'RP.Internal.')).toBe(true);
    expect(allowsName(list, 'other.rp.internal')).toBe(false);
    expect(allowsName(list, 'a.dev.example')).toBe(true);
    expect(allowsName(list, 'a.b.dev.example')).toBe(true);
    expect(allowsName(list, 'dev.example')).toBe(false);
    expect(allowsName(list, 'evil-dev.example')).toBe(false);
  });

  it('matches addresses by block, at the edges, and IPv4-mapped IPv6 as IPv4', () => {
    expect(allowsAddress(list, ip('10.1.0.0'))).toBe(true);
    expect(allowsAddress(list, ip('10.1.255.255'))).toBe(true);
    expect(allowsAddress(list, ip('10.2.0.0'))).toBe(false);
    expect(allowsAddress(list, ip('10.0.255.255'))).toBe(false);
    expect(allowsAddress(list, ip('127.0.0.1'))).toBe(true);
    expect(allowsAddress(list, ip('127.0.0.2'))).toBe(false);
    expect(allowsAddress(list, ip('::ffff:10.1.2.3'))).toBe(true);
    expect(allowsAddress(list, ip('::ffff:127.0.0.1'))).toBe(true);
    expect(allowsAddress(list, ip('fd12::1'))).toBe(true);
    expect(allowsAddress(list, ip('fc00::1'))).toBe(false);
    expect(allowsAddress(list, ip('::1'))).toBe(true);
  });

  it('an empty setting allows nothing', () => {
    const empty = parseAllowList([]);
    expect(allowsName(empty, 'localhost')).toBe(false);
    expect(allowsAddress(empty, ip('127.0.0.1'))).toBe(false);
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0/8',
    '::/129',
    'http://rp.internal',
    'rp internal',
    '*',
    '*.',
    '1.2.3.4/8/1',
    '10.0.0.0/08',
  ])('refuses the malformed entry %j instead of ignoring it', (entry) => {
    expect(allowEntryProblem(entry)).toMatch(/is neither a host name/);
    expect(() => parseAllowList([entry])).toThrow(/^OUTBOUND_ALLOW: /);
  });

  it.each(['0.0.0.0/0', '::/0', 'localhost', 'rp.example', '*.svc', '10.0.0.0/8', '[::1]'])(
    'accepts %j',
    (entry) => expect(allowEntryProblem(entry)).toBeUndefined(),
  );
});
