import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  InvalidClientMetadata,
  InvalidRedirectUri,
  InvalidRequest,
  ServerError,
} from '@idp/oauth-errors';
import { ADMIN_RPC, type AdminRpcClient } from '@idp/contracts';

/**
 * ADMIN_RPC for the registration and admin controllers. Optional at
 * injection so that test harnesses binding only TOKEN_RPC and SESSION_RPC
 * can still build AuthApiModule; every real composition root binds it
 * (RpcClientsModule.forRoot requires it).
 */
@Injectable()
export class AdminRpcAccess {
  constructor(@Optional() @Inject(ADMIN_RPC) private readonly client?: AdminRpcClient) {}

  get rpc(): AdminRpcClient {
    if (!this.client) throw new ServerError(new Error('ADMIN_RPC is not bound'));
    return this.client;
  }
}

/** The part of a zod schema body validation needs (auth-api does not depend on zod itself). */
interface BodySchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/**
 * A request body or query against its admin API schema (the one the OpenAPI
 * document is generated from, ADR 0017): the first problem, by field, as 400
 * invalid_request.
 */
export function parseBody<T>(schema: BodySchema<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  throw new InvalidRequest(`${field}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Client metadata against its schema, with RFC 7591 3.2.2's codes: a bad
 * redirect URI is invalid_redirect_uri, any other field invalid_client_metadata
 * (token-service then checks the rules between fields the same way).
 */
export function checkClientBody<T>(schema: BodySchema<T>, body: unknown): void {
  const parsed = schema.safeParse(body);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  const description = `${field}: ${issue?.message ?? 'invalid'}`;
  throw issue?.path[0] === 'redirect_uris'
    ? new InvalidRedirectUri(description)
    : new InvalidClientMetadata(description);
}
