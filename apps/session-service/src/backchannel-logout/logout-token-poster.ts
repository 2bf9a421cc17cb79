import { currentContext, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '@idp/observability';
import { OutboundError, type OutboundClient } from '@idp/outbound';
import { resultOfStatus, type AttemptResult } from './delivery';

/** Sends one logout token to one RP; a port so the dispatcher can be tested without sockets. */
export type LogoutTokenPoster = (uri: string, logoutToken: string) => Promise<AttemptResult>;

export interface PosterOptions {
  /** One deadline for the whole exchange: connect, response, body. */
  readonly timeoutMs: number;
}

/** What a failure was, without anything of the request (the token) in it. */
function failedAttempt(err: unknown): AttemptResult {
  if (!(err instanceof OutboundError)) return { ok: false, error: 'request failed' };
  switch (err.reason) {
    case 'refused':
      // The RP's address will not become acceptable by waiting: dead-letter now.
      return {
        ok: false,
        error: `refused by the outbound policy (OUTBOUND_ALLOW): ${err.message}`,
        permanent: true,
      };
    case 'invalid_url':
      return { ok: false, error: 'invalid backchannel_logout_uri', permanent: true };
    default:
      return { ok: false, error: err.message };
  }
}

/** W3C trace context of the current delivery, for the RP's tracing. */
function traceHeaders(): Record<string, string> {
  const context = currentContext();
  if (context === undefined) return {};
  return {
    [TRACEPARENT_HEADER]: context.traceparent,
    ...(context.tracestate === undefined ? {} : { [TRACESTATE_HEADER]: context.tracestate }),
  };
}

/**
 * OIDC Back-Channel Logout 1.0 section 2.5: POST
 * `application/x-www-form-urlencoded` with `logout_token`, through the
 * guarded outbound client (docs/security.md): internal targets are refused,
 * redirects are never followed (a 3xx is a failure), the response body is
 * read up to the cap and discarded, and idle connections are kept per
 * origin for the next POSTs of a fan-out.
 */
export function httpLogoutTokenPoster(
  client: OutboundClient,
  options: PosterOptions,
): LogoutTokenPoster {
  return async (uri, logoutToken) => {
    const body = `logout_token=${encodeURIComponent(logoutToken)}`;
    try {
      const res = await client.request(uri, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          // Section 2.8: the RP answers with Cache-Control: no-store; we ask nothing be cached either.
          'cache-control': 'no-store',
          // The trace of the logout that scheduled this delivery (not our internal request id).
          ...traceHeaders(),
        },
        body,
        timeoutMs: options.timeoutMs,
        discardBody: true,
      });
      return resultOfStatus(res.status);
    } catch (err) {
      return failedAttempt(err);
    }
  };
}
