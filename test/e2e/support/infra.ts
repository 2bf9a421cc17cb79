import { execFileSync } from 'node:child_process';
import { randomBytes } from '@idp/crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT } from './service-process';

export const PG_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';

/** The real broker, driven by the repository's own script (tests stop and start it on purpose). */
export const kafka = {
  stop: () =>
    execFileSync('bash', [join(ROOT, 'scripts/infra/kafka.sh'), 'stop'], { stdio: 'ignore' }),
  start: () =>
    execFileSync('bash', [join(ROOT, 'scripts/infra/kafka.sh'), 'start'], {
      stdio: 'ignore',
      timeout: 120_000,
    }),
};

/**
 * Consumer-group settings for the tests that stop the broker. A consumer that
 * reconnects after an outage joins with a new member id, and the group waits
 * for the old member's session to expire before it rebalances: with the
 * default 10 s session timeout (KAFKA_SESSION_TIMEOUT_MS) that is up to 10 s
 * of the test spent idle, and of its teardown too (a consumer closing mid-join
 * waits for that rebalance). 6 s is the broker's group.min.session.timeout.ms;
 * the heartbeat stays at a third of it. Nothing these tests assert depends on
 * the value: they wait for the outcome, however long it takes.
 */
export const QUICK_GROUP_TAKEOVER = {
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '2000',
} as const;

/**
 * A namespace for one test run on the shared servers: its own PostgreSQL
 * schema, Kafka topic prefix and Redis key prefix, so runs never see each
 * other's data.
 */
export function isolatedEnv(name: string) {
  const id = `${name}_${randomBytes(4).toString('hex')}`;
  return {
    id,
    env: {
      DATABASE_URL: PG_URL,
      DATABASE_SCHEMA: `e2e_${id}`,
      KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: `e2e.${id}.`,
      REDIS_URL,
      REDIS_KEY_PREFIX: `e2e:${id}:`,
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      TOKEN_HASH_KEY: randomBytes(32).toString('base64url'),
      OUTBOX_SWEEP_MS: '200',
      LOG_LEVEL: 'warn',
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
