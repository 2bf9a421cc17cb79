import type { ClientInformation } from '@idp/contracts';

/**
 * The JSON body of RFC 7591 3.2.1 (and RFC 7592 3): the registered metadata
 * with the server-issued fields at the top level. `registration_client_uri`
 * only for self-registered clients (RFC 7592 3); `source` only for operators.
 */
export function clientInformationBody(
  info: ClientInformation,
  extra: { readonly registrationClientUri?: string; readonly showSource?: boolean } = {},
): Record<string, unknown> {
  const { metadata, source, ...issued } = info;
  return {
    ...metadata,
    ...issued,
    ...(extra.registrationClientUri === undefined
      ? {}
      : { registration_client_uri: extra.registrationClientUri }),
    ...(extra.showSource ? { source } : {}),
  };
}
