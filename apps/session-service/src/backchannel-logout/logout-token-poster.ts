import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { resultOfStatus, type AttemptResult } from './delivery';

/** Sends one logout token to one RP; a port so the dispatcher can be tested without sockets. */
export type LogoutTokenPoster = (uri: string, logoutToken: string) => Promise<AttemptResult>;

/** What a network failure was, without anything of the request (the token) in it. */
function describeFailure(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message.slice(0, 200) : 'request failed';
}

export interface PosterOptions {
  /** One deadline for the whole exchange: connect, response, body. */
  readonly timeoutMs: number;
  /** Idle connections kept per RP origin for the next POSTs (default 8). */
  readonly idleSocketsPerOrigin?: number;
}

/**
 * OIDC Back-Channel Logout 1.0 section 2.5: POST
 * `application/x-www-form-urlencoded` with `logout_token`; redirects are
 * never followed (node:http does not follow them; a 3xx is a failure).
 *
 * node:http rather than fetch: a fan-out is thousands of small POSTs, and
 * undici's fetch (web streams, AbortSignal, Request/Response objects) cost
 * about a millisecond of CPU each in the 1,000-RP benchmark, more than the
 * signing. Idle connections are kept per origin, and the response body is
 * drained and discarded.
 */
export function httpLogoutTokenPoster(options: PosterOptions): LogoutTokenPoster {
  // No cap on sockets per origin: the dispatcher bounds concurrency, and RPs
  // sharing a host (paths of one multi-tenant app) must not queue behind a
  // hanging one.
  const agentOptions = {
    keepAlive: true,
    maxSockets: Infinity,
    maxFreeSockets: options.idleSocketsPerOrigin ?? 8,
  };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  return (uri, logoutToken) =>
    new Promise<AttemptResult>((resolve) => {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        resolve({ ok: false, error: 'invalid backchannel_logout_uri' });
        return;
      }
      const secure = url.protocol === 'https:';
      const body = `logout_token=${encodeURIComponent(logoutToken)}`;
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(result);
      };
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            // Section 2.8: the RP answers with Cache-Control: no-store; we ask nothing be cached either.
            'cache-control': 'no-store',
          },
        },
        (res: IncomingMessage) => {
          // Drain so the connection can be reused; the status is the answer.
          res.resume();
          res.on('end', () => finish(resultOfStatus(res.statusCode ?? 0)));
          res.on('error', (err) => finish({ ok: false, error: describeFailure(err) }));
        },
      );
      const deadline = setTimeout(() => {
        finish({ ok: false, error: `timeout after ${options.timeoutMs} ms` });
        req.destroy();
      }, options.timeoutMs);
      req.on('error', (err) => finish({ ok: false, error: describeFailure(err) }));
      req.end(body);
    });
}
