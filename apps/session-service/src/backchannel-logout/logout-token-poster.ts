import { resultOfStatus, type AttemptResult } from './delivery';

/** Sends one logout token to one RP; a port so the dispatcher can be tested without sockets. */
export type LogoutTokenPoster = (uri: string, logoutToken: string) => Promise<AttemptResult>;

/** What a network failure was, without anything of the request (the token) in it. */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `timeout after ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message.slice(0, 200);
  return err instanceof Error ? err.message.slice(0, 200) : 'request failed';
}

/**
 * OIDC Back-Channel Logout 1.0 section 2.5: POST
 * `application/x-www-form-urlencoded` with `logout_token`. One deadline for
 * the whole exchange (connect, response, body), redirects never followed.
 */
export function httpLogoutTokenPoster(timeoutMs: number): LogoutTokenPoster {
  return async (uri, logoutToken) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(uri, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // Section 2.8: the RP answers with Cache-Control: no-store; we ask nothing be cached either.
          'cache-control': 'no-store',
        },
        body: new URLSearchParams({ logout_token: logoutToken }).toString(),
        redirect: 'manual',
        signal,
      });
      // Drain the body within the same deadline so the connection can be reused.
      await res.arrayBuffer();
      return resultOfStatus(res.status);
    } catch (err) {
      return { ok: false, error: describeFailure(err, timeoutMs) };
    }
  };
}
