import { classifyAddress } from './address-ranges';
import { formatIp, parseIp } from './ip-address';

const kindOf = (text: string) => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an address: ${text}`);
  return classifyAddress(ip)?.kind ?? 'public';
};

describe('classifyAddress', () => {
  it.each([
    // IPv4: every refused block, at both edges, and the public addresses just outside them.
    ['0.0.0.0', 'internal'],
    ['0.255.255.255', 'internal'],
    ['1.0.0.0', 'public'],
    ['9.255.255.255', 'public'],
    ['10.0.0.0', 'internal'],
    ['10.255.255.255', 'internal'],
    ['11.0.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.0', 'internal'],
    ['100.127.255.255', 'internal'],
    ['100.128.0.0', 'public'],
    ['126.255.255.255', 'public'],
    ['127.0.0.0', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['128.0.0.0', 'public'],
    ['169.253.255.255', 'public'],
    ['169.254.0.0', 'internal'],
    ['169.254.169.254', 'internal'],
    ['169.254.255.255', 'internal'],
    ['169.255.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.16.0.0', 'internal'],
    ['172.31.255.255', 'internal'],
    ['172.32.0.0', 'public'],
    ['192.0.0.8', 'internal'],
    ['192.0.2.1', 'internal'],
    ['192.0.3.0', 'public'],
    ['192.88.99.1', 'internal'],
    ['192.167.255.255', 'public'],
    ['192.168.0.0', 'internal'],
    ['192.168.255.255', 'internal'],
    ['192.169.0.0', 'public'],
    ['198.17.255.255', 'public'],
    ['198.18.0.0', 'internal'],
    ['198.19.255.255', 'internal'],
    ['198.20.0.0', 'public'],
    ['198.51.100.7', 'internal'],
    ['203.0.113.9', 'internal'],
    ['223.255.255.255', 'public'],
    ['224.0.0.0', 'internal'],
    ['239.255.255.255', 'internal'],
    ['240.0.0.0', 'internal'],
    ['255.255.255.254', 'internal'],
    ['255.255.255.255', 'internal'],
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    // IPv6.
    ['::', 'internal'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::2', 'internal'],
    ['fc00::', 'internal'],
    ['fd12:3456::1', 'internal'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'internal'],
    ['fe80::1', 'internal'],
    ['febf:ffff::1', 'internal'],
    ['fec0::1', 'internal'],
    ['ff02::1', 'internal'],
    ['ff00::', 'internal'],
    ['100::1', 'internal'],
    ['2001:db8::1', 'internal'],
    ['2001::1', 'internal'],
    ['2002:7f00:1::1', 'internal'],
    ['3fff::1', 'internal'],
    ['5f00::1', 'internal'],
    ['1fff:ffff::1', 'internal'],
    ['4000::1', 'internal'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80e::200e', 'public'],
    ['2001:4860:4860::8888', 'public'],
    // IPv4 inside IPv6: judged by the IPv4 address the packets really reach.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'internal'],
    ['::ffff:a9fe:a9fe', 'internal'],
    ['::ffff:10.0.0.1', 'internal'],
    ['::ffff:0.0.0.0', 'internal'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:8.8.8.8', 'public'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'internal'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'internal'],
    ['::127.0.0.1', 'internal'],
    ['::8.8.8.8', 'internal'],
  ])('%s is %s', (address, kind) => {
    expect(kindOf(address)).toBe(kind);
  });

  it('says what and which block, for the error a registration or a delivery shows', () => {
    expect(classifyAddress(parseIp('169.254.169.254')!)).toEqual({
      kind: 'internal',
      description: 'a link-local address (169.254.0.0/16)',
    });
    expect(classifyAddress(parseIp('0.0.0.0')!)?.description).toBe(
      'an unspecified ("this network") address (0.0.0.0/8)',
    );
    expect(classifyAddress(parseIp('fd00::1')!)?.description).toBe(
      'a unique local (private) address (fc00::/7)',
    );
    expect(classifyAddress(parseIp('::ffff:10.1.1.1')!)?.description).toBe(
      'a private address (10.0.0.0/8)',
    );
  });
});

describe('parseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['1::', '1:0:0:0:0:0:0:0'],
    ['::ffff:1.2.3.4', '0:0:0:0:0:ffff:102:304'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['[fe80::1]', 'fe80:0:0:0:0:0:0:1'],
  ])('reads %s', (text, formatted) => {
    expect(formatIp(parseIp(text)!)).toBe(formatted);
  });

  it.each([
    'rp.example',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '0x7f.0.0.1',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '12345::1',
    'fe80::1%eth0',
    '::ffff:1.2.3.256',
    '',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});
