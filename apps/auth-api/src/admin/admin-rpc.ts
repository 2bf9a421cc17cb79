import { Inject, Injectable, Optional } from '@nestjs/common';
import { ADMIN_RPC, type AdminRpcClient } from '@idp/nest-kit';
import { InvalidRequest, ServerError } from '@idp/oauth-errors';

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

/** A request body against a contract schema: the first problem, by field, as 400 invalid_request. */
export function parseBody<T>(schema: BodySchema<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  throw new InvalidRequest(`${field}: ${issue?.message ?? 'invalid'}`);
}
