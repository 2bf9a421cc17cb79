import type { AccessTokenFormat, RegisteredResource } from '@idp/domain';

/**
 * "The access-token format is chosen per client or per resource": the
 * resource server's preference wins, since it is the one that has to read
 * the token; a client's default (opaque) is rarely a choice. One exception:
 * a client that asked for jwe never gets a plain jwt, which would show the
 * claims it chose to hide to the client and the browser (opaque hides them
 * too, so a resource may still ask for opaque). Only the first of several
 * resources decides, because one token has one format (ADR 0007).
 */
export function accessTokenFormatFor(
  clientFormat: AccessTokenFormat,
  resource: RegisteredResource | undefined,
): AccessTokenFormat {
  const preferred = resource?.accessTokenFormat;
  if (!preferred) return clientFormat;
  if (clientFormat === 'jwe' && preferred === 'jwt') return 'jwe';
  return preferred;
}
