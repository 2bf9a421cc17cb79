export * from './read-model-cache.port';
export * from './cache-invalidations.port';
export * from './cache-errors';
export { planTtl, type TtlPlan } from './ttl';
export * from './in-memory.read-model-cache';
export * from './in-memory.cache-invalidations';
export { createRedisClient, REDIS_DEFAULTS, type RedisConnectionOptions } from './redis-connection';
export * from './redis.read-model-cache';
export * from './redis.cache-invalidations';
