import { OutboundError, type OutboundClient } from '@idp/outbound';
import { resultOfPush, type AttemptResult } from './set-delivery';
import type { SetPoster } from './set-dispatcher';

/** The body of an RFC 8935 2.3 error is short; anything longer is not read as one. */
const MAX_ERROR_BODY = 2048;

/** What a failure was, without anything of the request (the SET, the header) in it. */
function failedAttempt(err: unknown): AttemptResult {
  if (!(err instanceof OutboundError)) return { ok: false, error: 'request failed' };
  switch (err.reason) {
    case 'refused':
      // The receiver's address will not become acceptable by waiting: dead-letter now.
      return {
        ok: false,
        error: `refused by the outbound policy (OUTBOUND_ALLOW): ${err.message}`,
        permanent: true,
      };
    case 'invalid_url':
      return { ok: false, error: 'invalid endpoint_url', permanent: true };
    default:
      return { ok: false, error: err.message };
  }
}

/**
 * RFC 8935 2.1: POST the SET as `application/secevent+jwt`, Accept
 * application/json, with the receiver's Authorization header, through the
 * guarded outbound client (docs/security.md): internal targets refused
 * unless allow-listed, no redirects followed, one deadline for the whole
 * exchange, the answer read only to learn an RFC 8935 2.3 error code.
 */
export function httpSetPoster(client: OutboundClient, options: { timeoutMs: number }): SetPoster {
  return async (target, set) => {
    try {
      const res = await client.request(target.endpointUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          'content-length': Buffer.byteLength(set),
          ...(target.authorization === undefined ? {} : { authorization: target.authorization }),
        },
        body: set,
        timeoutMs: options.timeoutMs,
        discardBody: false,
      });
      const body =
        res.status === 400 && res.body.length <= MAX_ERROR_BODY
          ? res.body.toString('utf8')
          : undefined;
      return resultOfPush(res.status, body);
    } catch (err) {
      return failedAttempt(err);
    }
  };
}
