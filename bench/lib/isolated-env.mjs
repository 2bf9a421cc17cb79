// The environment of one benchmark's distributed stack: its own PostgreSQL
// schema, Kafka topic (and group) prefix and Redis key prefix on the shared
// servers, fresh keys, and the gRPC addresses of token- and session-service.
import { randomBytes } from 'node:crypto';
import { freePort } from './processes.mjs';

/**
 * Drops what `isolatedEnv` named on the shared servers: the PostgreSQL schema
 * and the Kafka topics under the prefix (Redis keys are the caller's: it holds
 * the connection). `req` is a require from the repository root (pg, kafkajs).
 */
export async function dropIsolatedEnv(req, env) {
  const { Client } = req('pg');
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`).finally(() => pg.end());
  const { Kafka, logLevel } = req('kafkajs');
  const admin = new Kafka({
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(env.KAFKA_TOPIC_PREFIX));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/**
 * @param {{ databaseUrl: string, kafkaBrokers: string, redisUrl: string }} options
 * @param {string} runId names the schema and prefixes
 * @returns {Promise<{ env: Record<string,string>, grpc: { token: number, session: number } }>}
 */
export async function isolatedEnv(options, runId) {
  const grpc = { token: await freePort(), session: await freePort() };
  return {
    grpc,
    env: {
      DATABASE_URL: options.databaseUrl,
      DATABASE_SCHEMA: `bench_${runId}`,
      KAFKA_BROKERS: options.kafkaBrokers,
      KAFKA_TOPIC_PREFIX: `bench.${runId}.`,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: `bench:${runId}:`,
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      TOKEN_HASH_KEY: randomBytes(32).toString('base64url'),
      TOKEN_SERVICE_GRPC_URL: `127.0.0.1:${grpc.token}`,
      SESSION_SERVICE_GRPC_URL: `127.0.0.1:${grpc.session}`,
    },
  };
}
