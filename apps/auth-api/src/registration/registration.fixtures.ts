// Test harness for the registration and admin specs (no jest globals here, so it also type-checks in the build).
import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryReplayStore, REPLAY_STORE } from '@idp/cache';
import { CONFIG } from '@idp/config';
import {
  adminRpcMethods,
  sessionRpcMethods,
  systemClock,
  tokenRpcMethods,
  type ClientInformation,
  ADMIN_RPC,
  SESSION_RPC,
  TOKEN_RPC,
  type AdminRpcClient,
  type TokenRpcClient,
} from '@idp/contracts';
import { InMemoryPushedRequestStore } from '@idp/cache';
import { CLOCK, createHttpApp } from '@idp/nest-kit';
import { AuthApiModule } from '../auth-api.module';
import { PUSHED_REQUEST_STORE } from '../par/pushed-request-store.module';
import { testConfig } from '../http/auth-api.fixtures';

export const INITIAL_ACCESS_TOKEN = 'initial-access-token-0123456789abcdef';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef-0123456789';
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** An RPC client fake: the given methods, every other one rejects loudly. */
function fakeClient(service: string, methods: object, given: object): unknown {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(methods))
    out[name] =
      (given as Record<string, unknown>)[name] ??
      (() => Promise.reject(new Error(`unexpected rpc ${service}.${name}`)));
  return out;
}

/** auth-api over a fake AdminRpc (and TokenRpc): the given methods, every other one rejects loudly. */
export async function createRegistrationApi(
  admin: Partial<AdminRpcClient>,
  env: Record<string, string> = { INITIAL_ACCESS_TOKEN, ADMIN_TOKEN },
  token: Partial<TokenRpcClient> = {},
): Promise<NestFastifyApplication> {
  const unused = (service: string, methods: object) => fakeClient(service, methods, {});
  @Global()
  @Module({
    providers: [
      // A spec registers more in a second than an RP does in a day: its own per-IP limit.
      { provide: CONFIG, useValue: testConfig({ RATE_LIMIT_REGISTER: '1000', ...env }) },
      { provide: CLOCK, useValue: systemClock },
      // Per app: a spec's DPoP proofs are replays only within that spec's app.
      { provide: REPLAY_STORE, useValue: new InMemoryReplayStore() },
      { provide: TOKEN_RPC, useValue: fakeClient('token', tokenRpcMethods, token) },
      { provide: SESSION_RPC, useValue: unused('session', sessionRpcMethods) },
      { provide: ADMIN_RPC, useValue: fakeClient('admin', adminRpcMethods, admin) },
      { provide: PUSHED_REQUEST_STORE, useValue: new InMemoryPushedRequestStore() },
    ],
    exports: [CONFIG, CLOCK, REPLAY_STORE, TOKEN_RPC, SESSION_RPC, ADMIN_RPC, PUSHED_REQUEST_STORE],
  })
  class FakeInfraModule {}

  @Module({ imports: [FakeInfraModule, AuthApiModule] })
  class TestRootModule {}

  const app = await createHttpApp(TestRootModule, { logLevel: 'error' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** What token-service answers for a fresh dynamic registration. */
export function registeredInfo(over: Partial<ClientInformation> = {}): ClientInformation {
  return {
    metadata: {
      client_id: 'c-1',
      redirect_uris: ['https://rp.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    source: 'dynamic_registration',
    client_id_issued_at: 1_700_000_000,
    client_secret: 's'.repeat(43),
    client_secret_expires_at: 0,
    registration_access_token: 'rat_token',
    ...over,
  };
}
