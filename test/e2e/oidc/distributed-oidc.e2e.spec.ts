import { dropSchema, isolatedEnv } from '../support/infra';
import { deleteRedisPrefix, deleteTopics, redisClient } from '../support/read-models';
import { freePort, ServiceProcess } from '../support/service-process';
import { oidcSuite } from './oidc.suite';

/** The same suite against four processes over gRPC, Kafka, Redis and PostgreSQL. */
oidcSuite('distributed mode', async ({ port, issuer, seedFile }) => {
  const { env } = isolatedEnv('oidc');
  const [tokenGrpc, sessionGrpc] = [await freePort(), await freePort()];
  const shared = {
    ...env,
    ISSUER: issuer,
    TOKEN_SERVICE_GRPC_URL: `127.0.0.1:${tokenGrpc}`,
    SESSION_SERVICE_GRPC_URL: `127.0.0.1:${sessionGrpc}`,
  };
  const apps = [
    new ServiceProcess('token-service', {
      ...shared,
      PORT: String(await freePort()),
      GRPC_PORT: String(tokenGrpc),
      SEED_FILE: seedFile,
    }),
    new ServiceProcess('session-service', {
      ...shared,
      PORT: String(await freePort()),
      GRPC_PORT: String(sessionGrpc),
    }),
    new ServiceProcess('introspection-service', { ...shared, PORT: String(await freePort()) }),
    new ServiceProcess('auth-api', { ...shared, PORT: String(port) }),
  ];
  apps.forEach((a) => a.start());
  try {
    await Promise.all(apps.map((a) => a.waitReady()));
  } catch (err) {
    await Promise.all(apps.map((a) => a.stop()));
    throw err;
  }
  return {
    async stop() {
      await Promise.all(apps.map((a) => a.stop()));
      const redis = redisClient();
      await deleteRedisPrefix(redis, env.REDIS_KEY_PREFIX);
      redis.disconnect();
      await dropSchema(env.DATABASE_SCHEMA);
      await deleteTopics(env.KAFKA_TOPIC_PREFIX);
    },
  };
});
