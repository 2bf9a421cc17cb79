import { Injectable } from '@nestjs/common';
import { MAX_REQUEST_OBJECT_LENGTH } from '@idp/contracts';
import type { RegisteredClient } from '@idp/domain';
import { OAuthError } from '@idp/oauth-errors';
import { OutboundError } from '@idp/outbound';
import { TokenServiceOutbound } from '../clients/outbound-client.provider';

/** RFC 9101 10.2: the media type of a request object; `application/jwt` is what older RPs serve. */
const REQUEST_OBJECT_TYPES = new Set(['application/oauth-authz-req+jwt', 'application/jwt']);
/** Far below OUTBOUND_TIMEOUT_MS: a browser waits on /authorize while we fetch. */
const FETCH_TIMEOUT_MS = 3_000;

const withoutFragment = (uri: string) => uri.split('#', 1)[0] ?? uri;

function invalidRequestUri(description: string, cause?: unknown): OAuthError {
  return new OAuthError('invalid_request_uri', {
    description,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Fetches a request object by reference (RFC 9101 5.2, OIDC Core 6.2). Only
 * a URI the client registered in `request_uris` is ever called, so a
 * request cannot make us fetch an address of its choosing; the call goes
 * through the guarded outbound client (internal addresses refused after
 * resolution, no redirects, time and size limits).
 *
 * Matching ignores the fragment on both sides: OIDC Core 6.2 lets an RP
 * change it to mark a new version of the file for servers that cache the
 * content. We do not cache (each /authorize fetches), so the fragment means
 * nothing to us, and it is never sent (it is not part of an HTTP request).
 */
@Injectable()
export class RequestUriFetcher {
  constructor(private readonly outbound: TokenServiceOutbound) {}

  async fetch(client: RegisteredClient, requestUri: string): Promise<string> {
    const target = withoutFragment(requestUri);
    const registered = (client.metadata.request_uris ?? []).map(withoutFragment);
    if (!registered.includes(target))
      throw new OAuthError('request_uri_not_supported', {
        description: 'request_uri is not one of the request_uris the client registered',
      });
    let res;
    try {
      res = await this.outbound.request(target, {
        headers: { accept: 'application/oauth-authz-req+jwt, application/jwt' },
        timeoutMs: FETCH_TIMEOUT_MS,
      });
    } catch (err) {
      const why = err instanceof OutboundError ? err.reason : 'network';
      throw invalidRequestUri(`the request_uri could not be fetched (${why})`, err);
    }
    if (res.status !== 200) throw invalidRequestUri(`the request_uri answered HTTP ${res.status}`);
    const type = String(res.headers['content-type'] ?? '')
      .split(';', 1)[0]!
      .trim()
      .toLowerCase();
    if (!REQUEST_OBJECT_TYPES.has(type))
      throw invalidRequestUri(
        'the request_uri must answer application/oauth-authz-req+jwt (or application/jwt)',
      );
    if (res.body.length > MAX_REQUEST_OBJECT_LENGTH)
      throw invalidRequestUri(
        `the request object is longer than ${MAX_REQUEST_OBJECT_LENGTH} bytes`,
      );
    return res.body.toString('utf8').trim();
  }
}
