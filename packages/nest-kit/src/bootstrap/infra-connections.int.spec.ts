import { loadConfig } from '@idp/config';
import { createRedisCache } from '@idp/cache';
import { createEventStore } from '@idp/eventstore';
import { postgresTarget, redisConnection } from './infra-connections';

/**
 * The TLS settings reach the real drivers: the test servers speak plaintext
 * only, so a connection told to use TLS must fail with the driver's TLS
 * error, and the same connection without it must get through.
 */
const DATABASE_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/idp_test';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const config = (env: Record<string, string>) => loadConfig({ PORT: '1', ...env });

describe('connection security settings against the real servers (plaintext test servers)', () => {
  // verify mode changes nothing: an empty schema answers "no event store here", past the connection.
  const open = (env: Record<string, string>) =>
    createEventStore({
      ...postgresTarget(config({ DATABASE_URL, DATABASE_SCHEMA: 'no_such_schema', ...env })),
      migrations: 'verify',
    });

  it('DATABASE_SSL=require asks PostgreSQL for TLS (refused by a server without it)', async () => {
    await expect(open({ DATABASE_SSL: 'require' })).rejects.toThrow(/does not support SSL/);
  });

  it('DATABASE_SSL=disable (and unset) connect in plaintext', async () => {
    await expect(open({ DATABASE_SSL: 'disable' })).rejects.toThrow(/no event store here/);
    await expect(open({})).rejects.toThrow(/no event store here/);
  });

  it('a rediss:// REDIS_URL makes every client speak TLS (a plaintext Redis fails the handshake)', async () => {
    const tls = REDIS_URL.replace(/^redis:/, 'rediss:');
    await expect(
      createRedisCache({
        ...redisConnection(config({ REDIS_URL: tls })),
        keyPrefix: 'int-tls:',
        connectTimeoutMs: 500,
        commandTimeoutMs: 500,
      }),
    ).rejects.toThrow();
    const plain = await createRedisCache({
      ...redisConnection(config({ REDIS_URL })),
      keyPrefix: 'int-tls:',
    });
    await plain.close();
  });
});
