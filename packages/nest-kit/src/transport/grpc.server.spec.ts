import { Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InvalidGrant } from '@idp/oauth-errors';
import {
  defineRpc,
  grpcClient,
  silentRpcLogger,
  type ClosableRpcClient,
  type RpcRequest,
} from '@idp/rpc';
import { z } from 'zod';
import { inProcessRpcClient } from '../rpc/in-process-rpc-client';
import { GrpcServer } from './grpc.server';
import { RpcHandler } from './rpc-handler.decorator';
import { RpcHandlerRegistry } from './rpc-handler.registry';
import { RpcHandlersModule } from './rpc-handlers.module';

const Echo = defineRpc({
  service: 'echo',
  methods: {
    echo: { request: z.object({ s: z.string() }), response: z.object({ s: z.string() }) },
    refuse: { request: z.object({}), response: z.object({}) },
  },
});
const Other = defineRpc({
  service: 'other',
  methods: { ping: { request: z.object({}), response: z.object({}) } },
});

@Injectable()
class Suffix {
  readonly value = '!';
}

/** A handler is a provider: its dependencies are injected, nothing is hand-built. */
@RpcHandler(Echo)
class EchoHandlers {
  constructor(private readonly suffix: Suffix) {}
  async echo({ s }: RpcRequest<typeof Echo, 'echo'>) {
    return { s: s + this.suffix.value };
  }
  async refuse(): Promise<Record<string, never>> {
    throw new InvalidGrant('no');
  }
}

@RpcHandler(Echo)
class SecondEchoHandlers {
  async echo({ s }: RpcRequest<typeof Echo, 'echo'>) {
    return { s };
  }
  async refuse() {
    return {};
  }
}

@Module({ imports: [RpcHandlersModule], providers: [Suffix, EchoHandlers] })
class EchoModule {}

/** As runService does: the strategy asks the app's registry for its table when it listens. */
async function serve(port = 0): Promise<{ app: INestMicroservice; server: GrpcServer }> {
  const ref: { app?: INestMicroservice } = {};
  const server = new GrpcServer({
    host: '127.0.0.1',
    port,
    logger: silentRpcLogger,
    services: () => ref.app!.get(RpcHandlerRegistry).bindings(),
  });
  const app = await NestFactory.createMicroservice(EchoModule, { strategy: server, logger: false });
  ref.app = app;
  return { app, server };
}

describe('GrpcServer: @RpcHandler providers as a Nest transport', () => {
  it('serves the discovered providers over gRPC, OAuth errors included, and closes with the app', async () => {
    const { app, server } = await serve();
    await app.listen();
    const client = grpcClient(Echo, {
      address: `127.0.0.1:${server.port}`,
      logger: silentRpcLogger,
    });
    try {
      await expect(client.echo({ s: 'hi' })).resolves.toEqual({ s: 'hi!' });
      await expect(client.refuse({})).rejects.toMatchObject({ error: 'invalid_grant' });
    } finally {
      client.close();
      // The shutdown's 'grpc' stage closes it first; Nest's close then finds it closed.
      await server.close(100);
      await app.close();
    }
    const late = grpcClient(Echo, { address: `127.0.0.1:${server.port}`, logger: silentRpcLogger });
    await expect(late.echo({ s: 'x' })).rejects.toMatchObject({ error: 'temporarily_unavailable' });
    late.close();
  });

  it('fails the start when a port cannot be bound', async () => {
    const { app, server } = await serve();
    await app.listen();
    const { app: second } = await serve(server.port);
    await expect(second.listen()).rejects.toThrow();
    await second.close();
    await app.close();
  });

  it('fails the start when two providers serve one contract', async () => {
    @Module({ imports: [EchoModule], providers: [SecondEchoHandlers] })
    class Twice {}
    await expect(
      NestFactory.createApplicationContext(Twice, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/two @RpcHandler providers/);
  });
});

describe('inProcessRpcClient: the same providers, called in process', () => {
  const ECHO = Symbol('echo');
  const OTHER = Symbol('other');

  it('calls the discovered provider through the contract', async () => {
    @Module({
      imports: [EchoModule],
      providers: [{ provide: ECHO, ...inProcessRpcClient(Echo) }],
    })
    class Embedded {}
    const app = await NestFactory.createApplicationContext(Embedded, {
      logger: false,
      abortOnError: false,
    });
    const client = app.get<ClosableRpcClient<typeof Echo>>(ECHO);
    await expect(client.echo({ s: 'in' })).resolves.toEqual({ s: 'in!' });
    await expect(client.refuse({})).rejects.toMatchObject({ error: 'invalid_grant' });
    await app.close();
  });

  it('fails the start, not the first call, when no provider serves the contract', async () => {
    @Module({
      imports: [EchoModule],
      providers: [{ provide: OTHER, ...inProcessRpcClient(Other) }],
    })
    class Missing {}
    await expect(
      NestFactory.createApplicationContext(Missing, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/no @RpcHandler\(other\) provider/);
  });
});
