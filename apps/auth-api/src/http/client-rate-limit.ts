import { Injectable } from '@nestjs/common';
import type { ClientAuthentication } from '@idp/contracts';
import { EndpointRateLimits, type RateLimitedEndpoint } from '@idp/nest-kit';
import { OAuthError } from '@idp/oauth-errors';

/**
 * The per-client limit of /token and /revoke (ADR 0016). Only token-service
 * knows whether the client authenticated, so the client_id presented is
 * charged first and refunded when the answer is invalid_client: someone
 * presenting another client's id without its secret cannot spend that
 * client's budget (the per-IP limit still applies to them).
 */
@Injectable()
export class ClientRateLimit {
  constructor(private readonly limits: EndpointRateLimits) {}

  async around<T>(
    endpoint: RateLimitedEndpoint,
    clientAuth: ClientAuthentication,
    work: () => Promise<T>,
  ): Promise<T> {
    const clientId = clientAuth.clientId;
    if (clientId === undefined) return work();
    this.limits.check(endpoint, 'client', clientId);
    try {
      return await work();
    } catch (err) {
      if (err instanceof OAuthError && err.error === 'invalid_client') {
        this.limits.refund(endpoint, 'client', clientId);
      }
      throw err;
    }
  }
}
