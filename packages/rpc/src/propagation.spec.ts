import {
  currentContext,
  newContext,
  runWithContext,
  type RequestContext,
} from '@idp/observability';
import { z } from 'zod';
import { defineRpc, type RpcHandlers } from '@idp/contracts';
import { grpcClient } from './grpc-client';
import { createRpcServer, type RpcServer } from './grpc-server';
import { inProcessClient } from './in-process';
import { silentRpcLogger as logger } from './logger';

// The request context crosses every rpc hop: HTTP edge → gRPC → handler.
const echo = defineRpc({
  service: 'ctx',
  methods: {
    seen: {
      request: z.object({}),
      response: z.object({
        requestId: z.string(),
        traceparent: z.string(),
        tracestate: z.string().optional(),
      }),
    },
  },
});

let inside: RequestContext | undefined;
const handlers: RpcHandlers<typeof echo> = {
  seen: async () => {
    inside = currentContext();
    if (inside === undefined) throw new Error('no context in the handler');
    inside.clientId = 'set-by-handler';
    return {
      requestId: inside.requestId,
      traceparent: inside.traceparent,
      ...(inside.tracestate === undefined ? {} : { tracestate: inside.tracestate }),
    };
  },
};

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe.each([
  ['gRPC metadata', 'grpc'],
  ['the in-process binding', 'in-process'],
] as const)('request context over %s', (_name, kind) => {
  let server: RpcServer | undefined;
  let client: ReturnType<typeof inProcessClient<typeof echo>>;

  beforeAll(async () => {
    if (kind === 'grpc') {
      server = await createRpcServer({
        host: '127.0.0.1',
        port: 0,
        services: [{ contract: echo, handlers }],
        logger,
      });
      client = grpcClient(echo, { address: `127.0.0.1:${server.port}`, logger });
    } else {
      client = inProcessClient(echo, handlers, { logger });
    }
  });
  afterAll(async () => {
    client.close();
    await server?.close(0);
  });

  it("runs the handler in the caller's request id and trace context", async () => {
    const caller = newContext({
      requestId: 'logout-42',
      traceparent: TRACEPARENT,
      tracestate: 'v=1',
    });
    const seen = await runWithContext(caller, () => client.seen({}));
    expect(seen).toEqual({ requestId: 'logout-42', traceparent: TRACEPARENT, tracestate: 'v=1' });
    // The handler's context is its own: what it records does not leak back to the caller.
    expect(inside).not.toBe(caller);
    expect(caller.clientId).toBeUndefined();
  });

  it('gives a handler a fresh, valid context when the caller had none', async () => {
    const seen = await client.seen({});
    expect(seen.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it("uses an explicit correlation id as the handler's request id when no context is set", async () => {
    const seen = await client.seen({}, { correlationId: 'corr-7' });
    expect(seen.requestId).toBe('corr-7');
  });
});
