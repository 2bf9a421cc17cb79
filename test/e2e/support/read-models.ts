import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { JwksReadModel } from '@idp/introspection-service';
import { KAFKA_BROKERS, REDIS_URL } from './infra';

/** Reads introspection-service's JWKS read model straight from Redis, as an operator would. */
export async function readJwks(
  redis: Redis,
  keyPrefix: string,
): Promise<JwksReadModel | undefined> {
  const raw = await redis.get(`${keyPrefix}read-model:jwks`);
  return raw ? (JSON.parse(raw) as JwksReadModel) : undefined;
}

export function activeAlgs(model: JwksReadModel | undefined): string[] {
  return Object.values(model?.keys ?? {})
    .filter((k) => k.status === 'active')
    .map((k) => String(k.jwk.alg))
    .sort();
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
}

/** Removes a test run's topics so the shared broker does not accumulate them. */
export async function deleteTopics(prefix: string): Promise<void> {
  const admin = new Kafka({
    brokers: KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
