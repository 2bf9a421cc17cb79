import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRedisClient } from './redis-connection';
import { redisSecurityOptions } from './redis-security';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files = (map: Record<string, string>) => (p: string) => {
  if (p in map) return map[p]!;
  throw new Error(`ENOENT: ${p}`);
};

/** What ioredis itself makes of URL + options (lazyConnect: nothing is opened). */
const effective = (url: string, opts: object) => {
  const client = new Redis(url, { lazyConnect: true, ...opts });
  const options = client.options;
  client.disconnect();
  return options;
};

describe('redisSecurityOptions (ioredis TLS and Sentinel)', () => {
  it('adds nothing for a plain redis:// URL', () => {
    expect(redisSecurityOptions('redis://127.0.0.1:6379')).toEqual({});
  });

  it('keeps TLS (with host name verification) for rediss:// and pins the CA', () => {
    const opts = redisSecurityOptions(
      'rediss://:pw@cache.example.com:6380',
      { tlsCaFile: '/ca.pem' },
      files({ '/ca.pem': PEM }),
    );
    expect(opts).toEqual({ tls: { ca: [PEM] } });
    const o = effective('rediss://:pw@cache.example.com:6380', opts);
    expect(o.tls).toEqual({ ca: [PEM] });
    expect(o.host).toBe('cache.example.com');
    expect(o.password).toBe('pw');
  });

  it('asks the sentinels for the master and keeps the URL credentials and db', () => {
    const opts = redisSecurityOptions('redis://user:pw@ignored:6379/3', {
      sentinel: { sentinels: ['s1:26379', '[::1]:26380'], masterName: 'mymaster', password: 'sp' },
    });
    expect(opts).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      sentinelPassword: 'sp',
    });
    const o = effective('redis://user:pw@ignored:6379/3', opts);
    expect(o).toMatchObject({ name: 'mymaster', username: 'user', password: 'pw', db: 3 });
    expect(o.sentinels).toHaveLength(2);
  });

  it('uses TLS to the discovered master for rediss://, and to the sentinels when asked', () => {
    const opts = redisSecurityOptions(
      'rediss://:pw@ignored:6380',
      { tlsCaFile: '/ca', sentinel: { sentinels: ['s:26379'], masterName: 'm', tls: true } },
      files({ '/ca': PEM }),
    );
    expect(opts).toMatchObject({
      tls: { ca: [PEM] },
      enableTLSForSentinelMode: true,
      sentinelTLS: { ca: [PEM] },
    });
  });

  it('fails at boot on an unreadable CA file or a malformed sentinel', () => {
    expect(() => redisSecurityOptions('rediss://h', { tlsCaFile: '/x' }, files({}))).toThrow(
      /cannot read the Redis CA file \/x/,
    );
    expect(() =>
      redisSecurityOptions('redis://h', { sentinel: { sentinels: ['nohost'], masterName: 'm' } }),
    ).toThrow(/host:port/);
  });

  it('is what createRedisClient builds its client with', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'redis-ca-')), 'ca.pem');
    writeFileSync(ca, PEM);
    const client = createRedisClient({
      url: 'rediss://:pw@ignored:6380',
      security: { tlsCaFile: ca, sentinel: { sentinels: ['s:26379'], masterName: 'm' } },
    });
    try {
      expect(client.options).toMatchObject({
        tls: { ca: [PEM] },
        name: 'm',
        sentinels: [{ host: 's', port: 26379 }],
        enableTLSForSentinelMode: true,
        lazyConnect: true,
      });
    } finally {
      client.disconnect();
    }
  });
});
