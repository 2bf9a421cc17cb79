import { RESPONSE_MODES, RESPONSE_TYPES, type ResponseMode, type ResponseType } from './types';

/**
 * Normalises a response_type value to its sorted form, or undefined when we do
 * not serve it. Values are separated by single spaces (RFC 6749 3.1.1); a
 * repeated value ("code code") is not a response type we know.
 */
export function normaliseResponseType(value: string): ResponseType | undefined {
  const parts = value.split(' ');
  if (new Set(parts).size !== parts.length) return undefined;
  const sorted = [...parts].sort().join(' ');
  return (RESPONSE_TYPES as readonly string[]).includes(sorted)
    ? (sorted as ResponseType)
    : undefined;
}

/** Anything beyond `code` returns a token or an ID token from this endpoint. */
export function returnsTokens(type: ResponseType): boolean {
  return type !== 'code';
}

export function includesIdToken(type: ResponseType): boolean {
  return type.split(' ').includes('id_token');
}

export function includesCode(type: ResponseType): boolean {
  return type.split(' ').includes('code');
}

/**
 * Multiple Response Type Encoding Practices 2.1 and 5: `code` defaults to
 * query, everything that returns a token or ID token to fragment.
 */
export function defaultResponseMode(type: ResponseType): ResponseMode {
  return returnsTokens(type) ? 'fragment' : 'query';
}

export function isResponseMode(value: string): value is ResponseMode {
  return (RESPONSE_MODES as readonly string[]).includes(value);
}

/**
 * Multiple Response Type Encoding Practices 2.1: "In no case should a set of
 * Authorization Response parameters whose default Response Mode is the
 * fragment encoding be encoded using the query encoding" — tokens in a query
 * string end up in server logs and Referer headers.
 */
export function isModeAllowed(type: ResponseType, mode: ResponseMode): boolean {
  return !(mode === 'query' && returnsTokens(type));
}

/**
 * The mode an error goes back with, from parameters not yet validated: the
 * requested mode if it is usable, else the response type's default, else
 * query (an error carries no token, so query is safe).
 */
export function errorResponseMode(
  responseType: string | undefined,
  responseMode: string | undefined,
): ResponseMode {
  const type = responseType === undefined ? undefined : normaliseResponseType(responseType);
  const mode =
    responseMode !== undefined && isResponseMode(responseMode) ? responseMode : undefined;
  if (type === undefined) return mode ?? 'query';
  return mode !== undefined && isModeAllowed(type, mode) ? mode : defaultResponseMode(type);
}
