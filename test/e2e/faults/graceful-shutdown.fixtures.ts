import { CLIENTS, FORM, basic } from '../introspection/introspection.fixtures';
import { dropSchema, isolatedEnv } from '../support/infra';
import { Refused } from '../support/load';
import { deleteRedisPrefix, deleteTopics, redisClient } from '../support/read-models';
import { freePort, ServiceProcess } from '../support/service-process';

export interface IssuedToken {
  readonly token: string;
  readonly client: { readonly id: string; readonly secret: string };
}

/**
 * Whether a request never reached a process: the connection was refused
 * (nothing listens on that port any more). Only this is retried, on the next
 * replica; an answer (any status) or a reset after connecting is a result.
 */
export function refusedAtConnect(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  if (cause?.code === 'ECONNREFUSED') return true;
  // Node's happy-eyeballs connect reports one error per address tried.
  return !!cause?.errors?.length && cause.errors.every((e) => e.code === 'ECONNREFUSED');
}

/** The error with its cause's code and what was called, for the failure list. */
function failedAt(url: string, err: unknown): Error {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const error = new Error(
    `${url}: ${(err as Error).message} (${cause?.code ?? ''} ${cause?.message ?? ''})`,
  );
  (error as { cause?: unknown }).cause = cause;
  return error;
}

let turn = 0;

/** POSTs to one replica after the other, moving on only when a connection is refused. */
export async function postToReplicas(
  urls: () => readonly string[],
  path: string,
  init: { headers: Record<string, string>; body: string },
  maxAttempts = 200,
): Promise<Response> {
  const start = turn++;
  for (let attempt = 0; ; attempt++) {
    const replicas = urls();
    const url = replicas[(start + attempt) % replicas.length]!;
    try {
      return await fetch(`${url}${path}`, {
        method: 'POST',
        ...init,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      if (!refusedAtConnect(err) || attempt + 1 >= maxAttempts) throw failedAt(url, err);
      // Every replica refused (a single one restarting): wait a little before the next round.
      if (attempt % replicas.length === replicas.length - 1)
        await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** client_credentials at auth-api: the token, or Refused with the status. */
export async function issueAt(
  urls: () => readonly string[],
  client: { readonly id: string; readonly secret: string },
  maxAttempts?: number,
): Promise<IssuedToken> {
  const res = await postToReplicas(
    urls,
    '/token',
    {
      headers: { ...FORM, authorization: basic(client) },
      body: 'grant_type=client_credentials&scope=reports%3Aread',
    },
    maxAttempts,
  );
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Refused(res.status);
  return { token: body.access_token, client };
}

/** RFC 7662 at an introspection endpoint: resolves for `active: true`, else Refused. */
export async function activeAt(urls: () => readonly string[], issued: IssuedToken): Promise<void> {
  const res = await postToReplicas(urls, '/introspect', {
    headers: { ...FORM, authorization: basic(issued.client) },
    body: new URLSearchParams({ token: issued.token }).toString(),
  });
  const body = (await res.json()) as { active?: boolean };
  if (res.status !== 200) throw new Refused(res.status);
  if (body.active !== true) throw new Error(`${issued.client.id}: not active`);
}

/** The tokens (of `tokens`) that are not active at `urls`, with why. */
export async function inactiveAt(
  urls: () => readonly string[],
  tokens: readonly IssuedToken[],
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 10) {
    const batch = tokens.slice(i, i + 10);
    const results = await Promise.allSettled(batch.map((t) => activeAt(urls, t)));
    results.forEach((r, j) => {
      if (r.status === 'rejected') out.push(`${batch[j]!.client.id}: ${String(r.reason)}`);
    });
  }
  return out;
}

/** SIGTERMs the process and reports how it ended and how long it took. */
export async function terminate(svc: ServiceProcess) {
  const started = Date.now();
  await svc.stop('SIGTERM');
  return { took: Date.now() - started, exit: svc.exitStatus() };
}

export interface ReplicatedStack {
  readonly token: readonly ServiceProcess[];
  readonly session: readonly ServiceProcess[];
  readonly introspection: readonly ServiceProcess[];
  readonly auth: readonly ServiceProcess[];
  stop(): Promise<void>;
}

/**
 * The distributed mode with two replicas of token-service, introspection-
 * service and auth-api (one session-service: nothing in the load calls it).
 * auth-api and introspection-service reach both token-services through one
 * round-robin gRPC channel (`ipv4:` list), as a headless Service would.
 */
export async function startReplicatedStack(name: string, seedFile: string) {
  const { env: isolated } = isolatedEnv(name);
  const tokenGrpc = [await freePort(), await freePort()];
  const sessionGrpc = await freePort();
  const authPorts = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    ...isolated,
    ISSUER: `http://127.0.0.1:${authPorts[0]}`,
    TOKEN_SERVICE_GRPC_URL: `ipv4:${tokenGrpc.map((p) => `127.0.0.1:${p}`).join(',')}`,
    SESSION_SERVICE_GRPC_URL: `127.0.0.1:${sessionGrpc}`,
  };
  const port = async () => String(await freePort());
  const token = [
    // One replica seeds (and migrates) first; two seeding at once would race.
    new ServiceProcess('token-service', {
      ...env,
      SEED_FILE: seedFile,
      GRPC_PORT: String(tokenGrpc[0]),
      PORT: await port(),
    }),
    new ServiceProcess('token-service', {
      ...env,
      GRPC_PORT: String(tokenGrpc[1]),
      PORT: await port(),
    }),
  ];
  const session = [
    new ServiceProcess('session-service', {
      ...env,
      GRPC_PORT: String(sessionGrpc),
      PORT: await port(),
    }),
  ];
  const introspection = [
    new ServiceProcess('introspection-service', { ...env, PORT: await port() }),
    new ServiceProcess('introspection-service', { ...env, PORT: await port() }),
  ];
  const auth = authPorts.map((p) => new ServiceProcess('auth-api', { ...env, PORT: String(p) }));
  const all = [...token, ...session, ...introspection, ...auth];
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
  try {
    await token[0]!.start().waitReady(90_000);
    await session[0]!.start().waitReady(90_000);
    const rest = [token[1]!, ...introspection, ...auth];
    rest.forEach((p) => p.start());
    await Promise.all(rest.map((p) => p.waitReady(90_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, token, session, introspection, auth, stop } satisfies ReplicatedStack & {
    env: Record<string, string>;
  };
}

export { CLIENTS };
