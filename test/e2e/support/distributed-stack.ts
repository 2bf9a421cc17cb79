import { dropSchema, isolatedEnv } from './infra';
import { deleteRedisPrefix, deleteTopics, redisClient } from './read-models';
import { freePort, ServiceProcess } from './service-process';

export interface StackOptions {
  /** Names the isolated PG schema, topic prefix and Redis prefix. */
  readonly name: string;
  readonly seedFile?: string;
  /** auth-api's public URL, when the test (or an RP library) needs a known one. */
  readonly issuer?: string;
  /** auth-api's port; a free one when absent. */
  readonly authPort?: number;
  /** introspection-service processes sharing one Redis and one consumer group (default 1). */
  readonly introspectionReplicas?: number;
  /** Extra settings for every process (e.g. ADMIN_TOKEN, LOGOUT_OFFLINE_GRANTS). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface DistributedStack {
  /** The isolated environment every process got (schema, prefixes, gRPC URLs). */
  readonly env: Readonly<Record<string, string>>;
  readonly token: ServiceProcess;
  readonly session: ServiceProcess;
  readonly auth: ServiceProcess;
  readonly introspection: readonly ServiceProcess[];
  /** Stops every process and deletes the schema, topics and Redis keys. */
  stop(): Promise<void>;
}

/**
 * The distributed mode as the tests run it: token-service, session-service,
 * auth-api and N introspection-service processes over real Kafka, Redis and
 * PostgreSQL, isolated from other tests, ready when this resolves.
 */
export async function startDistributedStack(options: StackOptions): Promise<DistributedStack> {
  const { env: isolated } = isolatedEnv(options.name);
  const [tokenGrpc, sessionGrpc] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    ...isolated,
    ...options.env,
    ...(options.issuer === undefined ? {} : { ISSUER: options.issuer }),
    TOKEN_SERVICE_GRPC_URL: `127.0.0.1:${tokenGrpc}`,
    SESSION_SERVICE_GRPC_URL: `127.0.0.1:${sessionGrpc}`,
  };
  const token = new ServiceProcess('token-service', {
    ...env,
    ...(options.seedFile === undefined ? {} : { SEED_FILE: options.seedFile }),
    GRPC_PORT: String(tokenGrpc),
    PORT: String(await freePort()),
  });
  const session = new ServiceProcess('session-service', {
    ...env,
    GRPC_PORT: String(sessionGrpc),
    PORT: String(await freePort()),
  });
  const introspection: ServiceProcess[] = [];
  for (let i = 0; i < (options.introspectionReplicas ?? 1); i++) {
    introspection.push(
      new ServiceProcess('introspection-service', { ...env, PORT: String(await freePort()) }),
    );
  }
  const auth = new ServiceProcess('auth-api', {
    ...env,
    PORT: String(options.authPort ?? (await freePort())),
  });
  const all = [token, session, ...introspection, auth];
  const stop = async (): Promise<void> => {
    await Promise.all(all.map((p) => p.stop()));
    const redis = redisClient();
    try {
      await deleteRedisPrefix(redis, env['REDIS_KEY_PREFIX']!);
    } finally {
      redis.disconnect();
    }
    await dropSchema(env['DATABASE_SCHEMA']!);
    await deleteTopics(env['KAFKA_TOPIC_PREFIX']!);
  };
  all.forEach((p) => p.start());
  try {
    await Promise.all(all.map((p) => p.waitReady()));
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, token, session, auth, introspection, stop };
}
