import './compile-cache';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import {
  AbuseStoresModule,
  distributedAdapters,
  exitOnShutdownSignals,
  redisAbuseStores,
  redisReplayStore,
  ReplayStoreModule,
  reportStartupFailure,
  redisConnection,
  RpcClientsModule,
  runService,
  startTracing,
} from '@idp/nest-kit';
import { AdminRpc, BackchannelRpc, SessionRpc, SsfRpc, TokenRpc } from '@idp/contracts';
import { createRedisPushedRequestStore } from '@idp/cache';
import { grpcClient } from '@idp/rpc';
import { AuthApiModule } from './auth-api.module';
import { PushedRequestStoreModule } from './par/pushed-request-store.module';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('auth-api', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3000', ADMIN_PORT: '9100' });
  const bindings = await distributedAdapters(config, 'auth-api', {
    eventStore: false,
    cache: true,
  });
  const rpc = RpcClientsModule.forRoot({
    token: { useValue: grpcClient(TokenRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
    session: { useValue: grpcClient(SessionRpc, { address: config.SESSION_SERVICE_GRPC_URL }) },
    // token-service serves AdminRpc on the same gRPC server as TokenRpc.
    admin: { useValue: grpcClient(AdminRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
    // session-service serves BackchannelRpc (dead letters) next to SessionRpc.
    backchannel: {
      useValue: grpcClient(BackchannelRpc, { address: config.SESSION_SERVICE_GRPC_URL }),
    },
    // session-service serves SsfRpc (the Shared Signals transmitter) there too.
    ssf: { useValue: grpcClient(SsfRpc, { address: config.SESSION_SERVICE_GRPC_URL }) },
  });
  const { shutdown } = await runService({
    name: 'auth-api',
    // Sign-in throttling shared by every replica through Redis (ADR 0016).
    modules: [
      rpc,
      AbuseStoresModule.forRoot(await redisAbuseStores(config, 'auth-api')),
      // DPoP proof jtis are accepted once across every replica (ADR 0027).
      ReplayStoreModule.forRoot(await redisReplayStore(config, 'auth-api')),
      // Pushed authorization requests (RFC 9126), redeemable through any replica.
      PushedRequestStoreModule.forRoot(
        await createRedisPushedRequestStore({
          ...redisConnection(config),
          keyPrefix: `${config.REDIS_KEY_PREFIX}par:`,
          connectionName: 'auth-api-par',
        }),
      ),
      AuthApiModule,
    ],
    bindings,
    // Nothing of its own: every request goes to token-service or session-service
    // over gRPC (a peer that is down is a 503 per request, and all replicas share it).
    readiness: { required: [] },
  });
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
  exitOnShutdownSignals(shutdown, { log: new Logger('auth-api') });
}

main().catch((err: unknown) => {
  reportStartupFailure('auth-api', err);
  process.exit(1);
});
