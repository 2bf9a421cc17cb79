import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import { distributedAdapters, runService, SessionRpc } from '@idp/nest-kit';
import { createRpcServer } from '@idp/rpc';
import { SessionServiceModule } from './session-service.module';
import { SessionService } from './sessions/session.service';
import { sessionRpcHandlers } from './sessions/session.rpc-handlers';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { PORT: '3003', GRPC_PORT: '50053' });
  const bindings = await distributedAdapters(config, 'session-service', {
    eventStore: true,
    cache: false,
  });
  const { app } = await runService({
    name: 'session-service',
    modules: [SessionServiceModule],
    bindings,
  });
  const handlers = sessionRpcHandlers(app.get(SessionService));
  const rpc = await createRpcServer({
    host: config.HOST,
    port: config.GRPC_PORT ?? 50053,
    services: [{ contract: SessionRpc, handlers }],
  });
  new Logger('session-service').log(`gRPC on ${config.HOST}:${rpc.port}`);
  process.once('SIGTERM', () => void rpc.close());
}

main().catch((err: unknown) => {
  console.error(`session-service failed to start: ${(err as Error).message}`);
  process.exit(1);
});
