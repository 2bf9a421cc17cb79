import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidClient, OAuthError, renderOAuthError } from '@idp/oauth-errors';
import { z } from 'zod';
import { buildClient, type Transport } from './client';
import {
  defineRpc,
  type ClosableRpcClient,
  type RpcContract,
  type RpcHandlers,
} from '@idp/contracts';
import { createDispatcher } from './dispatcher';
import { grpcTransport } from './grpc-client';
import { createRpcServer } from './grpc-server';
import { inProcessTransport } from './in-process';
import type { RpcLogger } from './logger';
import { MAX_MESSAGE_BYTES, RpcContractError } from './wire';

const echo = defineRpc({
  service: 'echo',
  methods: {
    echo: {
      request: z.object({
        text: z.string().min(1),
        times: z.number().int().positive().default(1),
        tags: z.array(z.string()).default([]),
      }),
      response: z.object({
        text: z.string(),
        tags: z.array(z.string()),
        correlationId: z.string(),
      }),
    },
    fail: {
      request: z.object({ kind: z.enum(['invalid_client', 'plain', 'query', 'shape', 'slow']) }),
      response: z.object({ ok: z.literal(true) }),
    },
  },
});
/** The same service one version later: what a client deployed before its server sends. */
const echoNext = defineRpc({
  service: 'echo',
  methods: { ...echo.methods, newer: { request: z.object({}), response: z.object({}) } },
});

interface Served {
  /** A client of any contract, talking to the served echo handlers. */
  connect<C extends RpcContract>(contract: C): ClosableRpcClient<C>;
  /** Bypasses client validation to send any bytes to an echo method. */
  readonly raw: Transport;
  close(): Promise<void>;
}
type Serve = (handlers: RpcHandlers<typeof echo>, logger: RpcLogger) => Promise<Served>;

const serveInProcess: Serve = async (handlers, logger) => {
  const dispatcher = createDispatcher([{ contract: echo, handlers }], logger);
  const transport = (service: string) => inProcessTransport(service, dispatcher);
  return {
    connect: (contract) => buildClient(contract, transport(contract.service), { logger }),
    raw: transport('echo'),
    close: async () => undefined,
  };
};

const serveGrpc: Serve = async (handlers, logger) => {
  const server = await createRpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [{ contract: echo, handlers }],
    logger,
  });
  const options = { address: `127.0.0.1:${server.port}` };
  const opened: Transport[] = [];
  const transport = (service: string) => {
    const t = grpcTransport(service, options, logger);
    opened.push(t);
    return t;
  };
  return {
    connect: (contract) => buildClient(contract, transport(contract.service), { logger }),
    raw: transport('echo'),
    close: async () => {
      opened.forEach((t) => t.close());
      await server.close(100);
    },
  };
};

describe.each([
  ['in-process', serveInProcess],
  ['gRPC', serveGrpc],
])('rpc contract: %s', (_name, serve) => {
  let served: Served;
  let client: ClosableRpcClient<typeof echo>;
  let logged: { message: string; context?: Record<string, unknown> }[];
  let slowAborted: boolean;
  const handlers: RpcHandlers<typeof echo> = {
    echo: async (req, ctx) => {
      req.tags.push('seen-by-server'); // must not reach the caller's array
      return { text: req.text.repeat(req.times), tags: req.tags, correlationId: ctx.correlationId };
    },
    fail: async ({ kind }, ctx) => {
      if (kind === 'invalid_client') throw new InvalidClient('unknown client');
      if (kind === 'plain') throw new Error('connect ECONNREFUSED 10.0.0.3:5432');
      if (kind === 'query') {
        // As a driver's error is: the failed statement and its parameters ride along.
        throw Object.assign(new Error('duplicate key value violates unique constraint'), {
          name: 'QueryFailedError',
          query: 'INSERT INTO events (data) VALUES ($1)',
          parameters: ['token-hash-SECRET-0123456789'],
          detail: 'Key (token_hash)=(token-hash-SECRET-0123456789) already exists.',
        });
      }
      if (kind === 'shape') return { ok: 'yes' } as unknown as { ok: true };
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      slowAborted = true;
      return { ok: true };
    },
  };
  const logger: RpcLogger = {
    warn: () => undefined,
    error: (message, context) => logged.push({ message, ...(context ? { context } : {}) }),
  };

  beforeEach(async () => {
    logged = [];
    slowAborted = false;
    served = await serve(handlers, logger);
    client = served.connect(echo);
  });
  afterEach(() => served.close());

  it('round-trips a typed request and response, applying defaults', async () => {
    const res = await client.echo({ text: 'ab', times: 2 });
    const text: string = res.text;
    expect(text).toBe('abab');
    expect((await client.echo({ text: 'x' })).text).toBe('x');
  });

  it('copies bodies: the handler cannot mutate what the caller holds', async () => {
    const tags = ['mine'];
    const res = await client.echo({ text: 'x', tags });
    expect(tags).toEqual(['mine']);
    expect(res.tags).toEqual(['mine', 'seen-by-server']);
  });

  it('refuses an invalid request on the calling side, before the wire', async () => {
    await expect(client.echo({ text: '' })).rejects.toBeInstanceOf(RpcContractError);
    const big = 'x'.repeat(MAX_MESSAGE_BYTES);
    await expect(client.echo({ text: big })).rejects.toThrow(/exceeds/);
  });

  it('answers invalid_request to a malformed request on the serving side', async () => {
    const call = { timeoutMs: 1000, correlationId: 'c1' };
    const typed = served.raw.call('echo', JSON.stringify({ text: 5 }), call);
    await expect(typed).rejects.toMatchObject({ error: 'invalid_request', status: 400 });
    await expect(typed).rejects.toThrow(/text/);
    await expect(served.raw.call('echo', '{not json', call)).rejects.toMatchObject({
      error: 'invalid_request',
    });
  });

  it('delivers an OAuthError with its status, description and headers', async () => {
    const err: unknown = await client.fail({ kind: 'invalid_client' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    const { cause: _c, ...rendered } = renderOAuthError(err);
    const { cause: _o, ...original } = renderOAuthError(new InvalidClient('unknown client'));
    expect(rendered).toEqual(original);
    expect(rendered.headers['WWW-Authenticate']).toBe('Basic realm="idp"');
    expect(logged).toEqual([]);
  });

  it('turns a plain Error into server_error without leaking its message', async () => {
    const err = (await client.fail({ kind: 'plain' }).catch((e: unknown) => e)) as OAuthError;
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ error: 'server_error', status: 500 });
    expect(err.description).toBe('an unexpected error occurred');
    expect(JSON.stringify(renderOAuthError(err).body) + err.message).not.toMatch(
      /10\.0\.0\.3|ECONNREFUSED/,
    );
    expect(logged.map((l) => l.message)).toEqual(['rpc handler failed']);
  });

  it('logs an unexpected error by name, message and stack only: never its SQL parameters', async () => {
    await client.fail({ kind: 'query' }).catch(() => undefined);
    expect(logged.map((l) => l.message)).toEqual(['rpc handler failed']);
    const line = JSON.stringify(logged[0]?.context);
    expect(line).toContain('QueryFailedError: duplicate key value violates unique constraint');
    expect(line).not.toMatch(/SECRET|INSERT INTO/);
  });

  it('turns a response its contract forbids into server_error, logged', async () => {
    await expect(client.fail({ kind: 'shape' })).rejects.toMatchObject({
      error: 'server_error',
      status: 500,
    });
    expect(logged[0]?.message).toMatch(/contract forbids/);
  });

  it('turns a response over the size limit into server_error', async () => {
    await expect(client.echo({ text: 'x', times: MAX_MESSAGE_BYTES + 1 })).rejects.toMatchObject({
      error: 'server_error',
    });
  });

  it('answers server_error to a method the server does not serve', async () => {
    const next = served.connect(echoNext);
    await expect(next.newer({})).rejects.toMatchObject({ error: 'server_error', status: 500 });
    expect(await next.echo({ text: 'still fine' })).toMatchObject({ text: 'still fine' });
  });

  it('gives up at the deadline with temporarily_unavailable and aborts the handler', async () => {
    const started = Date.now();
    await expect(client.fail({ kind: 'slow' }, { timeoutMs: 150 })).rejects.toMatchObject({
      error: 'temporarily_unavailable',
      status: 503,
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(650);
    for (let i = 0; i < 50 && !slowAborted; i++) await sleep(10);
    expect(slowAborted).toBe(true);
  });

  it("cancels a call when the caller's signal aborts, and aborts the handler", async () => {
    const caller = new AbortController();
    const started = Date.now();
    const call = client.fail({ kind: 'slow' }, { timeoutMs: 5_000, signal: caller.signal });
    setTimeout(() => caller.abort(), 100);
    await expect(call).rejects.toMatchObject({ error: 'temporarily_unavailable', status: 503 });
    expect(Date.now() - started).toBeLessThan(1_000);
    for (let i = 0; i < 50 && !slowAborted; i++) await sleep(10);
    expect(slowAborted).toBe(true);
    // Already aborted: never sent.
    await expect(client.echo({ text: 'x' }, { signal: caller.signal })).rejects.toMatchObject({
      error: 'temporarily_unavailable',
    });
    expect(await client.echo({ text: 'still fine' })).toMatchObject({ text: 'still fine' });
  });

  it('fails calls on a closed client with temporarily_unavailable', async () => {
    client.close();
    await expect(client.echo({ text: 'x' })).rejects.toMatchObject({
      error: 'temporarily_unavailable',
    });
  });

  it('carries the correlation id to the handler, or mints one', async () => {
    expect((await client.echo({ text: 'x' }, { correlationId: 'req-42' })).correlationId).toBe(
      'req-42',
    );
    expect((await client.echo({ text: 'x' })).correlationId).toMatch(/^[0-9a-f-]{36}$/);
    // Not safe for metadata or logs: replaced, never sent as is.
    expect((await client.echo({ text: 'x' }, { correlationId: 'a\nb' })).correlationId).not.toBe(
      'a\nb',
    );
  });

  it('answers 200 concurrent calls, each with its own response', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `m${i}`);
    const answers = await Promise.all(
      texts.map((text) => client.echo({ text }, { correlationId: text })),
    );
    expect(answers.map((a) => a.text)).toEqual(texts);
    expect(answers.map((a) => a.correlationId)).toEqual(texts);
  });
});
