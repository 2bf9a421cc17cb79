import type { ClaimsRequest, RequestedClaims } from '@idp/contracts';
import { REQUESTABLE_CLAIMS } from '@idp/domain';
import { InvalidRequest } from '@idp/oauth-errors';

/**
 * The longest `claims` we accept, in characters of JSON text. The request
 * travels on in the sealed interaction cookie (about 3.8 KB in all), so the
 * bound keeps room for everything else; a real request names a few claims.
 */
export const MAX_CLAIMS_PARAMETER_LENGTH = 2048;
/** Per member: more names than there are claims to release is not a real request. */
const MAX_CLAIMS_PER_MEMBER = 40;
/** `values` of one claim (OIDC Core 5.5.1: a list of acceptable values). */
const MAX_VALUES = 10;
/** Of one string value (the grant event's bound). */
const MAX_VALUE_LENGTH = 500;

const MEMBERS = ['userinfo', 'id_token'] as const;

/**
 * Parses and checks the OIDC `claims` request parameter (Core 5.5): JSON text
 * of an object whose optional `userinfo` and `id_token` members map claim
 * names to `null` (requested with defaults) or to `{essential, value,
 * values}`. A malformed one is invalid_request (sent to the redirect_uri, as
 * every error after client and redirect_uri are checked).
 *
 * What is kept is only what we could act on: claims outside
 * REQUESTABLE_CLAIMS (custom or unknown names) are dropped, as are unknown
 * members at either level (5.5: "any members used that are not understood
 * MUST be ignored"). An empty result is undefined, so nothing is stored.
 */
export function parseClaimsParameter(raw: string | undefined): ClaimsRequest | undefined {
  if (raw === undefined) return undefined;
  if (raw.length > MAX_CLAIMS_PARAMETER_LENGTH)
    throw new InvalidRequest(`claims must be at most ${MAX_CLAIMS_PARAMETER_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidRequest('claims must be a JSON object');
  }
  if (!isObject(parsed)) throw new InvalidRequest('claims must be a JSON object');
  const out: { userinfo?: RequestedClaims; id_token?: RequestedClaims } = {};
  for (const member of MEMBERS) {
    if (!Object.hasOwn(parsed, member)) continue;
    const requested = memberOf(parsed[member], member);
    if (requested !== undefined) out[member] = requested;
  }
  return out.userinfo || out.id_token ? out : undefined;
}

function memberOf(value: unknown, member: string): RequestedClaims | undefined {
  if (!isObject(value)) throw new InvalidRequest(`claims.${member} must be a JSON object`);
  const names = Object.keys(value);
  if (names.length > MAX_CLAIMS_PER_MEMBER)
    throw new InvalidRequest(`claims.${member} names too many claims`);
  const out: RequestedClaims = {};
  for (const name of names) {
    const options = optionsOf(value[name], `claims.${member}.${name}`);
    if (REQUESTABLE_CLAIMS.has(name)) out[name] = options;
  }
  return Object.keys(out).length ? out : undefined;
}

/** OIDC Core 5.5.1: null, or an object with optional essential, value and values. */
function optionsOf(value: unknown, path: string): RequestedClaims[string] {
  if (value === null) return null;
  if (!isObject(value)) throw new InvalidRequest(`${path} must be null or a JSON object`);
  const { essential, value: one, values } = value;
  if (essential !== undefined && typeof essential !== 'boolean')
    throw new InvalidRequest(`${path}.essential must be a boolean`);
  if (one !== undefined && !isClaimValue(one))
    throw new InvalidRequest(`${path}.value must be a string, number or boolean`);
  if (values !== undefined && !isValueList(values))
    throw new InvalidRequest(
      `${path}.values must be an array of 1 to ${MAX_VALUES} strings, numbers or booleans`,
    );
  if (one !== undefined && values !== undefined)
    throw new InvalidRequest(`${path} has both value and values`);
  return {
    ...(essential === undefined ? {} : { essential }),
    ...(one === undefined ? {} : { value: one }),
    ...(values === undefined ? {} : { values: [...values] }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type ClaimValue = string | number | boolean;

/** The claims we can be asked about have scalar values; a nested object is not a value we hold. */
function isClaimValue(value: unknown): value is ClaimValue {
  return (
    (typeof value === 'string' && value.length <= MAX_VALUE_LENGTH) ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function isValueList(value: unknown): value is ClaimValue[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_VALUES &&
    value.every(isClaimValue)
  );
}
