import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import {
  AdminRpc,
  distributedAdapters,
  exitOnShutdownSignals,
  reportStartupFailure,
  runService,
  TokenRpc,
  startTracing,
} from '@idp/nest-kit';
import { createRpcServer } from '@idp/rpc';
import { AdminModule } from './admin/admin.module';
import { adminRpcHandlers } from './admin/admin.rpc-handlers';
import { ClientAdmin } from './admin/client-admin.service';
import { ClientRegistrations } from './admin/client-registrations.service';
import { UserAdmin } from './admin/user-admin.service';
import { LogoutTokens } from './backchannel/logout-tokens.service';
import { ClientRegistry } from './clients/client-registry.service';
import { AuthorizeService } from './grants/authorize.service';
import { TokenEndpoint } from './grants/token-endpoint.service';
import { IntrospectionService } from './introspection/introspection.service';
import { KeyRingService } from './keys/key-ring.service';
import { LogoutModule } from './logout/logout.module';
import { SessionGrants } from './logout/session-grants.service';
import { RevocationService } from './revocation/revocation.service';
import { tokenRpcHandlers } from './rpc/token.rpc-handlers';
import { TokenServiceModule } from './token-service.module';
import { UserDirectory } from './users/user-directory.service';
import { UserinfoService } from './userinfo/userinfo.service';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('token-service', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3001', ADMIN_PORT: '9101', GRPC_PORT: '50051' });
  const bindings = await distributedAdapters(config, 'token-service', {
    eventStore: true,
    // Revocations write their tombstones to the introspection read model (ADR 0008).
    cache: true,
  });
  const { app, shutdown } = await runService({
    name: 'token-service',
    modules: [TokenServiceModule, AdminModule, LogoutModule],
    bindings,
    // Every grant, client, user and key lives in the event store. Redis only takes
    // revocation tombstones (those calls fail alone); Kafka sits behind the outbox.
    readiness: { required: ['event_store'] },
  });
  const handlers = tokenRpcHandlers({
    keys: app.get(KeyRingService),
    clients: app.get(ClientRegistry),
    users: app.get(UserDirectory),
    authorize: app.get(AuthorizeService),
    token: app.get(TokenEndpoint),
    userinfo: app.get(UserinfoService),
    introspection: app.get(IntrospectionService),
    revocation: app.get(RevocationService),
    sessionGrants: app.get(SessionGrants),
    logoutTokens: app.get(LogoutTokens),
  });
  const rpc = await createRpcServer({
    host: config.HOST,
    port: config.GRPC_PORT ?? 50051,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    services: [
      { contract: TokenRpc, handlers },
      {
        contract: AdminRpc,
        handlers: adminRpcHandlers({
          clients: app.get(ClientAdmin),
          registrations: app.get(ClientRegistrations),
          users: app.get(UserAdmin),
        }),
      },
    ],
  });
  const log = new Logger('token-service');
  log.log(`gRPC on ${config.HOST}:${rpc.port}`);
  // One shutdown sequence: HTTP, then gRPC, consumers, outbox, stores (docs/operations/restarts.md).
  shutdown.addRpcServer(rpc);
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
  exitOnShutdownSignals(shutdown, { log });
}

main().catch((err: unknown) => {
  reportStartupFailure('token-service', err);
  process.exit(1);
});
