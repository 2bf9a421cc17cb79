import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '@idp/config';
import {
  ADMIN_READ_SCOPE,
  ADMIN_SCOPE,
  adminOperationOf,
  ADMIN_SCOPES,
  type Actor,
  TOKEN_RPC,
  type TokenRpcClient,
} from '@idp/contracts';
import { InsufficientScope, InvalidToken, ServerError } from '@idp/oauth-errors';
import { resolveScopedAccessToken } from '../http/scoped-access-token';
import { ClientCertificates } from '../mtls/client-certificates';
import { bearerFrom, StaticBearer } from '../registration/static-bearer';

const READS = new Set(['GET', 'HEAD']);
const NO_CREDENTIAL = 'the admin token or an access token with an idp:admin scope is required';
const NOT_ADMIN = 'the access token is invalid, expired, revoked, or has no idp:admin scope';

interface AdminCaller {
  readonly actor: Actor;
  readonly canWrite: boolean;
}

const callers = new WeakMap<object, Actor>();

/**
 * The admin API's gate (ADR 0017). Two credentials, both as a Bearer token:
 * - the static ADMIN_TOKEN (optional; compared in constant time), actor
 *   `admin_token`;
 * - an access token we issued (opaque, JWT or JWE), resolved by
 *   token-service's introspect RPC, the same resolution /introspect uses, so
 *   ID tokens, refresh tokens, revoked and expired tokens are never
 *   accepted. Its client must hold `idp:admin` (read-write) or
 *   `idp:admin.read` (GET only) both in the token and in its current
 *   registration, so taking the scope away takes effect at once. Actor
 *   `client`. A DPoP-bound token is refused: this API takes Bearer tokens
 *   only, and a bound token without its proof is what a thief holds.
 * Anything else is 401 invalid_token; a write with a read-only token is 403
 * insufficient_scope. Admin calls read no cookies, so CSRF does not apply.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly adminToken: StaticBearer;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    private readonly certificates: ClientCertificates,
  ) {
    this.adminToken = new StaticBearer(config.ADMIN_TOKEN);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const caller = await this.authenticate(bearerFrom(request.headers.authorization), request);
    if (!caller.canWrite && !isRead(request))
      throw new InsufficientScope(
        ADMIN_SCOPE,
        `this call changes state: it needs ${ADMIN_SCOPE} (${ADMIN_READ_SCOPE} allows GET only)`,
      );
    callers.set(request, caller.actor);
    return true;
  }

  private async authenticate(
    token: string | undefined,
    request: FastifyRequest,
  ): Promise<AdminCaller> {
    if (token === undefined) throw new InvalidToken(NO_CREDENTIAL);
    if (this.adminToken.matches(token)) return { actor: { kind: 'admin_token' }, canWrite: true };
    const resolved = await resolveScopedAccessToken(this.tokens, token, ADMIN_SCOPES);
    if (resolved === undefined || resolved.held.size === 0) throw new InvalidToken(NOT_ADMIN);
    // RFC 9449 7.1: a DPoP-bound token is useless without its key; the admin API takes Bearer only.
    if (resolved.cnf?.['jkt'] !== undefined)
      throw new InvalidToken('a DPoP-bound access token is not accepted by the admin API');
    // A certificate-bound token only with that certificate, forwarded by a trusted TLS proxy.
    this.certificates.assertBoundCertificate(resolved.cnf, request.raw);
    const actor: Actor = { kind: 'client', client_id: resolved.clientId };
    return { actor, canWrite: resolved.held.has(ADMIN_SCOPE) };
  }
}

/**
 * GET and HEAD, and the POSTs the admin API's operations mark read-only
 * (they take a token in the body to keep it out of URLs): one list, the
 * OpenAPI document's, says which.
 */
function isRead(request: FastifyRequest): boolean {
  if (READS.has(request.method)) return true;
  const template = request.routeOptions?.url;
  return template !== undefined && adminOperationOf(request.method, template)?.readOnly === true;
}

/** The authenticated caller of an admin route (set by AdminAuthGuard), to name on its events. */
export const AdminCaller = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = callers.get(context.switchToHttp().getRequest<FastifyRequest>());
  if (actor === undefined) throw new ServerError(new Error('admin route without AdminAuthGuard'));
  return actor;
});
