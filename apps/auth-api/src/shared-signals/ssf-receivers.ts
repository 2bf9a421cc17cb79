import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SSF_MANAGE_SCOPE, SSF_READ_SCOPE, TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { constantTimeEqual } from '@idp/crypto';
import { EndpointRateLimits, type RawParams } from '@idp/nest-kit';
import { InsufficientScope, InvalidToken } from '@idp/oauth-errors';
import { withDpopChallenge, withReadChallenges } from '../dpop/dpop-challenge';
import { DpopProofs } from '../dpop/dpop-proofs';
import { presentedToken, type PresentedToken } from '../http/bearer-token';
import { resolveScopedAccessToken, type ScopedAccessToken } from '../http/scoped-access-token';
import { ClientCertificates } from '../mtls/client-certificates';

/** What a call needs: `read` for GET (ssf:read or ssf:manage), `write` for everything else (ssf:manage). */
export type SsfAccess = 'read' | 'write';

const NOT_OURS = 'the access token is invalid, expired or revoked';

/**
 * Who is calling the Shared Signals API (ADR 0036): the receiver is the
 * client of the access token in the Authorization header. The token is
 * resolved like the admin API's (token-service's introspect RPC: our opaque,
 * JWT and JWE access tokens; never an ID token, a refresh token, a revoked or
 * expired one), and the scope must be in the token AND in the client's
 * current registration. A DPoP-bound token needs `Authorization: DPoP` and
 * a proof of its key (RFC 9449 7); a certificate-bound one the certificate
 * (RFC 8705 3), as at /userinfo. Errors are RFC 6750's (RFC 9449's for the
 * DPoP scheme) with their challenges: 401 invalid_token, 403
 * insufficient_scope. Then the receiver's own rate limit is charged.
 */
@Injectable()
export class SsfReceivers {
  constructor(
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    private readonly dpop: DpopProofs,
    private readonly certificates: ClientCertificates,
    private readonly limits: EndpointRateLimits,
  ) {}

  /** The receiver's client id, or the RFC 6750 / RFC 9449 error to answer. */
  async authenticate(request: FastifyRequest, access: SsfAccess): Promise<string> {
    const authorization = request.headers.authorization;
    let presented: PresentedToken;
    try {
      // The header only: SSF requests carry JSON bodies, and a token in the query is refused.
      presented = presentedToken({ authorization, query: queryOf(request) });
    } catch (err) {
      throw withReadChallenges(err, authorization, this.dpop.algs);
    }
    let clientId: string;
    try {
      const caller = await resolveScopedAccessToken(this.tokens, presented.token, [
        SSF_MANAGE_SCOPE,
        SSF_READ_SCOPE,
      ]);
      if (caller === undefined) throw new InvalidToken(NOT_OURS);
      await this.checkBinding(caller, presented, request);
      checkScope(caller, access);
      clientId = caller.clientId;
    } catch (err) {
      throw presented.scheme === 'DPoP' ? withDpopChallenge(err, this.dpop.algs) : err;
    }
    // Outside the challenge wrapping: a 429 is no authentication error.
    this.limits.check('ssf', 'client', clientId);
    return clientId;
  }

  /**
   * A sender-constrained token is only as good as the proof of its key: a
   * DPoP-bound token as a Bearer token, with another key's proof, or a
   * certificate-bound token without its certificate is invalid_token.
   */
  private async checkBinding(
    caller: ScopedAccessToken,
    presented: PresentedToken,
    request: FastifyRequest,
  ): Promise<void> {
    const boundJkt = stringMember(caller.cnf, 'jkt');
    if (presented.scheme === 'DPoP') {
      const proof = await this.dpop.verify(request.raw, pathOf(request.url), {
        at: 'resource',
        accessToken: presented.token,
      });
      if (proof === undefined) throw this.dpop.missingProof();
      if (boundJkt === undefined || !constantTimeEqual(boundJkt, proof.jkt))
        throw new InvalidToken('the access token is not bound to the DPoP proof key');
    } else if (boundJkt !== undefined) {
      throw new InvalidToken('a DPoP-bound access token must be sent with the DPoP scheme');
    }
    this.certificates.assertBoundCertificate(caller.cnf, request.raw);
  }
}

function checkScope(caller: ScopedAccessToken, access: SsfAccess): void {
  if (caller.held.has(SSF_MANAGE_SCOPE)) return;
  if (access === 'read' && caller.held.has(SSF_READ_SCOPE)) return;
  if (access === 'write')
    throw new InsufficientScope(
      SSF_MANAGE_SCOPE,
      caller.held.has(SSF_READ_SCOPE)
        ? `this call changes a stream: it needs ${SSF_MANAGE_SCOPE} (${SSF_READ_SCOPE} allows GET only)`
        : `the Shared Signals API needs ${SSF_MANAGE_SCOPE}`,
    );
  throw new InsufficientScope(
    `${SSF_READ_SCOPE} ${SSF_MANAGE_SCOPE}`,
    `the Shared Signals API needs ${SSF_READ_SCOPE} or ${SSF_MANAGE_SCOPE}`,
  );
}

function stringMember(
  cnf: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  const value = cnf?.[name];
  return typeof value === 'string' ? value : undefined;
}

function queryOf(request: FastifyRequest): RawParams {
  return (request.query ?? {}) as RawParams;
}

/** The path a DPoP proof's `htu` names (RFC 9449 4.3: without query and fragment). */
function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? url;
}
