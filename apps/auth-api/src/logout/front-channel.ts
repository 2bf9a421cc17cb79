import type { ClientMetadata } from '@idp/contracts';

export interface FrontChannelFrames {
  /** One URL per client that registered a frontchannel_logout_uri. */
  readonly frames: readonly string[];
  /** Their origins, for the page's `frame-src`. */
  readonly origins: readonly string[];
}

/**
 * OIDC Front-Channel Logout 1.0 section 2-3: the logout URI of every client
 * that took part in the session, with `iss` and `sid` as query parameters
 * when it registered frontchannel_logout_session_required (so it can tell
 * which of its sessions ended). The URIs are registered ones (https or
 * loopback http, no fragment, checked at registration).
 */
export function frontChannelFrames(
  issuer: string,
  sid: string,
  clients: readonly Pick<
    ClientMetadata,
    'frontchannel_logout_uri' | 'frontchannel_logout_session_required'
  >[],
): FrontChannelFrames {
  const frames: string[] = [];
  const origins = new Set<string>();
  for (const client of clients) {
    const uri = client.frontchannel_logout_uri;
    if (uri === undefined) continue;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      continue; // Registration refuses these; a stale record must not break the page.
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
    if (client.frontchannel_logout_session_required) {
      url.searchParams.append('iss', issuer);
      url.searchParams.append('sid', sid);
    }
    frames.push(client.frontchannel_logout_session_required ? url.toString() : uri);
    origins.add(url.origin);
  }
  return { frames, origins: [...origins] };
}
