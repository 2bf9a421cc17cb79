// Test harness for the admin specs (no jest globals here, so it also type-checks in the build).
import type { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import type { TypeOrmEventStore } from '@idp/eventstore';
import { OAuthError } from '@idp/oauth-errors';
import { startTokenServiceHarness } from '../token-service.fixtures';
import { AdminModule } from './admin.module';

export interface AdminHarness {
  readonly app: INestApplicationContext;
  readonly store: TypeOrmEventStore;
  close(): Promise<void>;
}

/** token-service with AdminModule over a real SQLite event store, as the embedded mode runs it. */
export function startAdminHarness(
  env: Record<string, string> = {},
  modules: NonNullable<ModuleMetadata['imports']> = [],
): Promise<AdminHarness> {
  return startTokenServiceHarness(env, [AdminModule, ...modules]);
}

/** The OAuth error a call failed with, as the edge would render it. */
export async function oauthErrorOf(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OAuthError)
      return { error: e.error, status: e.status, description: e.description, headers: e.headers };
    throw e;
  }
  throw new Error('expected an OAuth error');
}

/** A confidential web client's registration request (RFC 7591 3.1). */
export const webMetadata = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_name: 'Example RP',
  redirect_uris: ['https://rp.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  ...over,
});
