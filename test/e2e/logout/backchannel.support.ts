import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { grpcClient, silentRpcLogger, type RpcClient } from '@idp/rpc';
import {
  backchannelSeed,
  sessionJoinedBy as joinSession,
  writeSeedFile,
  type BackchannelRp,
} from '@idp/testing';
import { waitFor } from '../support/service-process';
import { SessionRpc, TokenRpc } from '@idp/contracts';

export const BCL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef-0123456789';
export const REDIRECT_URI = 'https://rp.example.test/cb';
export const USER_SUB = 'user-bcl-0001';

/** How one RP answers its back-channel logout URI. */
export type Behaviour = 'ok' | 'fail503' | 'hang' | { readonly delayMs: number };

export interface Received {
  readonly clientId: string;
  readonly jti: string;
  readonly sid: string;
  readonly at: number;
}

/**
 * RPs' back-channel logout endpoints: one node:http server, one path per
 * client (`/bcl/<client_id>`). Every token that arrives is validated as an
 * RP must (OIDC Back-Channel Logout 1.0 section 2.6) against the OP's JWKS:
 * signature, typ logout+jwt, iss, aud = this client, iat/exp, jti, the events
 * member, sid, and no nonce. A token that fails is recorded as a problem.
 */
export class LogoutReceivers {
  readonly received: Received[] = [];
  readonly problems: string[] = [];
  private readonly behaviour = new Map<string, Behaviour>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  port = 0;

  constructor(
    private readonly issuer: () => string,
    /** The end-user every logout token must name. */
    private readonly expectedSub: string = USER_SUB,
  ) {}

  uriOf(clientId: string): string {
    return `http://127.0.0.1:${this.port}/bcl/${clientId}`;
  }

  set(clientId: string, behaviour: Behaviour): void {
    this.behaviour.set(clientId, behaviour);
  }

  async listen(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Plenty of sockets: a fan-out to hundreds of RPs arrives at once.
    this.server.maxConnections = 10_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  deliveredTo(clientId: string): Received[] {
    return this.received.filter((r) => r.clientId === clientId);
  }

  async waitDelivered(clientIds: readonly string[], timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `logout tokens at ${clientIds.length} RPs`,
      async () => {
        if (this.problems.length) throw new Error(this.problems.join('\n'));
        return clientIds.every((c) => this.deliveredTo(c).length > 0);
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const clientId = decodeURIComponent((req.url ?? '').replace(/^\/bcl\//, ''));
    const body = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => resolve(data));
    });
    const behaviour = this.behaviour.get(clientId) ?? 'ok';
    if (behaviour === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (behaviour === 'fail503') {
      res.writeHead(503).end();
      return;
    }
    if (typeof behaviour === 'object') await new Promise((r) => setTimeout(r, behaviour.delayMs));
    try {
      if (req.method !== 'POST') throw new Error(`method ${req.method}`);
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
        throw new Error(`content-type ${req.headers['content-type']}`);
      const token = new URLSearchParams(body).get('logout_token');
      if (!token) throw new Error('no logout_token');
      const claims = await this.validate(token, clientId);
      this.received.push({
        clientId,
        jti: claims.jti!,
        sid: claims['sid'] as string,
        at: Date.now(),
      });
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    } catch (err) {
      this.problems.push(`${clientId}: ${(err as Error).message}`);
      res.writeHead(400).end();
    }
  }

  private async validate(token: string, clientId: string): Promise<JWTPayload> {
    this.jwks ??= createRemoteJWKSet(new URL(`${this.issuer()}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(token, this.jwks, {
      issuer: this.issuer(),
      audience: clientId,
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid', 'sub'],
    });
    if (protectedHeader.typ !== 'logout+jwt') throw new Error('typ');
    const events = payload['events'] as Record<string, unknown> | undefined;
    if (!events || typeof events[BCL_EVENT] !== 'object') throw new Error('events claim');
    if ('nonce' in payload) throw new Error('a logout token must not have a nonce');
    if (payload.sub !== this.expectedSub) throw new Error(`sub ${payload.sub}`);
    return payload;
  }
}

/** Clients for the seed: each can get an ID token straight from /authorize, with a logout URI. */
export function writeBackchannelSeed(clients: readonly BackchannelRp[]): string {
  const user = { sub: USER_SUB, username: 'bcl-user', password: 'bcl-user-password-long-enough' };
  return writeSeedFile(
    backchannelSeed(clients, { redirectUri: REDIRECT_URI, user }),
    'idp-bcl-seed-',
  );
}

export interface SessionRpcs {
  readonly session: RpcClient<typeof SessionRpc>;
  readonly tokens: RpcClient<typeof TokenRpc>;
}

/** session-service's and token-service's gRPC clients of a distributed stack; close them after use. */
export function grpcClients(env: Readonly<Record<string, string>>) {
  const session = grpcClient(SessionRpc, {
    address: env['SESSION_SERVICE_GRPC_URL']!,
    logger: silentRpcLogger,
  });
  const tokens = grpcClient(TokenRpc, {
    address: env['TOKEN_SERVICE_GRPC_URL']!,
    logger: silentRpcLogger,
  });
  return {
    session,
    tokens,
    close: () => {
      session.close();
      tokens.close();
    },
  };
}

/** One SSO session that `clientIds` joined, as USER_SUB (see @idp/testing's sessionJoinedBy). */
export const sessionJoinedBy = (rpc: SessionRpcs, clientIds: readonly string[]): Promise<string> =>
  joinSession(rpc, clientIds, { sub: USER_SUB, redirectUri: REDIRECT_URI });

/** A call to /admin on an admin listener (ADR 0017) with the admin token. */
export const adminFetch = (adminBase: string, method: string, path: string) =>
  fetch(`${adminBase}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
