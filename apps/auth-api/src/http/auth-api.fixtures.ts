// Test harness for the auth-api specs (no jest globals here, so it also type-checks in the build).
import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryReplayStore, REPLAY_STORE } from '@idp/cache';
import { CONFIG, loadConfig, type Config } from '@idp/config';
import {
  sessionRpcMethods,
  ssfRpcMethods,
  systemClock,
  tokenRpcMethods,
  type SessionView,
  SESSION_RPC,
  SSF_RPC,
  TOKEN_RPC,
  type SessionRpcClient,
  type SsfRpcClient,
  type TokenRpcClient,
} from '@idp/contracts';
import { InMemoryPushedRequestStore, type PushedRequestStore } from '@idp/cache';
import { CLOCK, createHttpApp } from '@idp/nest-kit';
import { AuthApiModule } from '../auth-api.module';
import { PUSHED_REQUEST_STORE } from '../par/pushed-request-store.module';
import { RESPONSE_TYPES } from '../authorize/types';

export const ISSUER = 'https://idp.example.com';
export const TEST_HASH_KEY = Buffer.alloc(32, 7).toString('base64url');

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ PORT: '0', ISSUER, TOKEN_HASH_KEY: TEST_HASH_KEY, ...env });
}

export interface Fakes {
  readonly token?: Partial<TokenRpcClient>;
  readonly session?: Partial<SessionRpcClient>;
  /** The Shared Signals transmitter (session-service's SsfRpc). */
  readonly ssf?: Partial<SsfRpcClient>;
  readonly env?: Record<string, string>;
  /** Where pushed requests go (RFC 9126); a fresh in-memory store by default. Share one to play two replicas. */
  readonly pushedRequests?: PushedRequestStore;
  /** Runs on the app before it is initialised (e.g. to add a Fastify hook). */
  readonly beforeInit?: (app: NestFastifyApplication) => void;
}

/** An RPC client fake: the given methods, every other one rejects loudly. */
function fakeClient<T>(service: string, methods: object, given: Partial<T>): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(methods)) {
    out[name] =
      (given as Record<string, unknown>)[name] ??
      (() => Promise.reject(new Error(`unexpected rpc ${service}.${name}`)));
  }
  return out as T;
}

/** auth-api as production builds it (Fastify, the OAuth filter), over fake RPC clients. */
export async function createAuthApi(fakes: Fakes = {}): Promise<NestFastifyApplication> {
  const config = testConfig(fakes.env);
  @Global()
  @Module({
    providers: [
      { provide: CONFIG, useValue: config },
      { provide: CLOCK, useValue: systemClock },
      // Per app: a spec's DPoP proofs are replays only within that spec's app.
      { provide: REPLAY_STORE, useValue: new InMemoryReplayStore() },
      { provide: TOKEN_RPC, useValue: fakeClient('token', tokenRpcMethods, fakes.token ?? {}) },
      {
        provide: SESSION_RPC,
        useValue: fakeClient('session', sessionRpcMethods, fakes.session ?? {}),
      },
      { provide: SSF_RPC, useValue: fakeClient('ssf', ssfRpcMethods, fakes.ssf ?? {}) },
      {
        provide: PUSHED_REQUEST_STORE,
        useValue: fakes.pushedRequests ?? new InMemoryPushedRequestStore(),
      },
    ],
    exports: [CONFIG, CLOCK, REPLAY_STORE, TOKEN_RPC, SESSION_RPC, SSF_RPC, PUSHED_REQUEST_STORE],
  })
  class FakeInfraModule {}

  @Module({ imports: [FakeInfraModule, AuthApiModule] })
  class TestRootModule {}

  const app = await createHttpApp(TestRootModule, { logLevel: 'error' });
  fakes.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** An answer read off a real socket, shaped like `app.inject()`'s. */
export interface SocketAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  json(): Record<string, unknown>;
}

/**
 * Listens on a free local port and returns a request function over a real
 * socket: routes served from node:http ahead of Fastify (POST /token) are
 * not reached by `app.inject()`.
 */
export async function overSocket(
  app: NestFastifyApplication,
): Promise<(path: string, init: RequestInit) => Promise<SocketAnswer>> {
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return async (path, init) => {
    const res = await fetch(`${base}${path}`, init);
    const body = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers),
      body,
      json: () => JSON.parse(body) as Record<string, unknown>,
    };
  };
}

/** Client metadata as token-service's getClient returns it (plain JSON). */
export function clientJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: 'app',
    client_name: 'Example App',
    redirect_uris: ['https://app.example/cb'],
    response_types: [...RESPONSE_TYPES],
    grant_types: ['authorization_code', 'implicit'],
    ...overrides,
  };
}

export function sessionView(overrides: Partial<SessionView> = {}): SessionView {
  const now = Math.floor(Date.now() / 1000);
  return {
    sid: 'sid-1',
    sub: 'user-1',
    authTime: now - 60,
    amr: ['pwd'],
    clientIds: [],
    idleExpiresAt: now + 3600,
    absoluteExpiresAt: now + 86_400,
    ...overrides,
  };
}

export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * A browser's cookie store, just enough for the flow tests: Path matching
 * (RFC 6265 5.1.4), Max-Age=0 deletes, longer paths first.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookie: string | string[] | undefined): void {
    for (const line of setCookie === undefined ? [] : ([] as string[]).concat(setCookie)) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.startsWith('Path='))?.slice(5) ?? '/';
      const key = `${name}|${path}`;
      if (attrs.includes('Max-Age=0')) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: string): string | undefined {
    const path = new URL(url, 'http://x').pathname;
    const matching = [...this.cookies.values()]
      .filter(
        (c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  get(name: string): string | undefined {
    return [...this.cookies.values()].find((c) => c.name === name)?.value;
  }
}
