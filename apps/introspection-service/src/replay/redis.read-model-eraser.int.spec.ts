import { randomBytes } from '@idp/crypto';
import { Redis } from 'ioredis';
import { RedisReadModelEraser } from './redis.read-model-eraser';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisReadModelEraser (real Redis)', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  // A prefix with glob characters: they must match literally.
  const prefix = `int:erase-${randomBytes(4).toString('hex')}[*]:`;
  const neighbour = `int:erase-${randomBytes(4).toString('hex')}:`;

  afterAll(async () => {
    const left = [
      ...(await redis.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`)),
      ...(await redis.keys(`${neighbour}*`)),
    ];
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });

  it("deletes this prefix's introspection and JWKS keys, and nothing else", async () => {
    const mine = [
      ...Array.from({ length: 2_500 }, (_, i) => `${prefix}introspection:at:${i}`),
      `${prefix}introspection:jti:j1`,
      `${prefix}introspection:rt:r1`,
      `${prefix}read-model:jwks`,
    ];
    const kept = [
      `${prefix}session:s1`,
      `${prefix}read-model:other`,
      `${neighbour}introspection:at:1`,
      `${neighbour}read-model:jwks`,
    ];
    await redis.mset(Object.fromEntries([...mine, ...kept].map((k) => [k, 'v'])));

    const erased = await new RedisReadModelEraser({ url: REDIS_URL, keyPrefix: prefix }).erase();

    expect(erased).toBe(mine.length);
    expect(await redis.exists(...mine)).toBe(0);
    expect(await redis.exists(...kept)).toBe(kept.length);
  });

  it('refuses an empty prefix (the Redis is shared)', () => {
    expect(() => new RedisReadModelEraser({ url: REDIS_URL, keyPrefix: '' })).toThrow(TypeError);
  });
});
