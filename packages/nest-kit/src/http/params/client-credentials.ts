import type { ClientAuthentication } from '@idp/contracts';
import { InvalidClient, InvalidRequest } from '@idp/oauth-errors';
import { setClientId } from '@idp/observability';
import type { Params } from './parse-params';
import { paramRecord } from './param-record';

/** RFC 7523 2.2. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Parameters that authenticate the client; they are not passed on as grant parameters. */
export const CLIENT_AUTH_PARAMS = [
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
] as const;
const AUTH_PARAM_NAMES: ReadonlySet<string> = new Set(CLIENT_AUTH_PARAMS);

/** token-service's limits (clientAuthentication schema): longer values cannot be a client of ours. */
const MAX_CLIENT_ID = 200;
const MAX_SECRET = 500;
/** token68 (RFC 7235 2.1) as base64 (RFC 7617 2). */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

export interface ClientCredentials {
  readonly clientAuth: ClientAuthentication;
  /** The grant parameters, without the client authentication ones. */
  readonly params: Record<string, string>;
}

/**
 * How the client authenticates at the token endpoint (RFC 6749 2.3, OIDC Core
 * 9): HTTP Basic, client_secret in the body, a client_secret_jwt or
 * private_key_jwt assertion (RFC 7523 2.2), or client_id alone for a public
 * client. Only the form is
 * checked here; token-service checks the credentials and that the method is
 * the one the client registered. RFC 6749 2.3: a client "MUST NOT use more
 * than one authentication method in each request".
 */
export function clientCredentials(
  authorization: string | undefined,
  form: Params,
): ClientCredentials {
  // Copied without them (no `delete`, which would turn the object into a slow dictionary).
  const params: Record<string, string> = paramRecord<string>();
  for (const name of Object.keys(form)) {
    if (!AUTH_PARAM_NAMES.has(name)) params[name] = form[name] as string;
  }
  const clientAuth = authenticate(authorization, form);
  // The access log names the client (as claimed: token-service authenticates it).
  if (clientAuth.clientId !== undefined) setClientId(clientAuth.clientId);
  return { clientAuth, params };
}

function authenticate(authorization: string | undefined, form: Params): ClientAuthentication {
  const clientId = form['client_id'];
  const secret = form['client_secret'];
  const assertion = form['client_assertion'];
  const assertionType = form['client_assertion_type'];
  if (authorization !== undefined && authorization.trim() !== '') {
    if (secret !== undefined || assertion !== undefined || assertionType !== undefined) {
      throw new InvalidRequest('client authentication must use only one method');
    }
    const basic = decodeBasic(authorization);
    if (clientId !== undefined && clientId !== basic.clientId) {
      throw new InvalidRequest('client_id does not match the Authorization header');
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertion === undefined || assertionType === undefined) {
      throw new InvalidRequest('client_assertion and client_assertion_type must be sent together');
    }
    if (secret !== undefined)
      throw new InvalidRequest('client authentication must use only one method');
    // RFC 6749 5.2: an unsupported authentication method is invalid_client.
    if (assertionType !== JWT_BEARER_ASSERTION)
      throw new InvalidClient('unsupported client_assertion_type');
    return {
      method: assertionMethod(assertion),
      assertion,
      ...(clientId === undefined ? {} : { clientId: checkId(clientId) }),
    };
  }
  if (secret !== undefined) {
    if (clientId === undefined) throw new InvalidRequest('client_secret requires client_id');
    return {
      method: 'client_secret_post',
      clientId: checkId(clientId),
      secret: checkSecret(secret),
    };
  }
  if (clientId !== undefined) return { method: 'none', clientId: checkId(clientId) };
  // RFC 6749 5.2: "no client authentication included" is invalid_client.
  throw new InvalidClient('client authentication is required');
}

/** JWS algorithms that are MACs (RFC 7518 3.2): the client secret is their key. */
const HMAC_ALG = /^HS(256|384|512)$/;

/**
 * Which of the two assertion methods (OIDC Core 9) a client_assertion claims
 * to use, from its header's alg: an HMAC is client_secret_jwt, anything else
 * private_key_jwt. It only names the method; token-service verifies the
 * assertion with the registered method's key and algorithms alone, so an
 * assertion labelled for the wrong method fails as a method mismatch, never
 * reaches the other method's verifier. An unreadable header is
 * private_key_jwt, which then fails verification.
 */
function assertionMethod(assertion: string): 'client_secret_jwt' | 'private_key_jwt' {
  const dot = assertion.indexOf('.');
  if (dot <= 0 || dot > 2048) return 'private_key_jwt';
  try {
    const header: unknown = JSON.parse(
      Buffer.from(assertion.slice(0, dot), 'base64url').toString('utf8'),
    );
    const alg = (header as { alg?: unknown } | null)?.alg;
    return typeof alg === 'string' && HMAC_ALG.test(alg) ? 'client_secret_jwt' : 'private_key_jwt';
  } catch {
    return 'private_key_jwt';
  }
}

/**
 * RFC 6749 2.3.1: client_id and client_secret are form-urlencoded (Appendix
 * B), then joined by ":" and base64-encoded (RFC 7617). So `+` is a space and
 * `%XX` an octet, as in node-oidc-provider. Any malformation is
 * invalid_client with a Basic challenge (RFC 6749 5.2, 401).
 */
function decodeBasic(header: string): { clientId: string; secret: string } {
  const match = BASIC.exec(header.trim());
  if (match === null) throw new InvalidClient('malformed Authorization header (expected Basic)');
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('malformed Basic credentials');
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (clientId === '' || secret === '') throw new InvalidClient('malformed Basic credentials');
  return { clientId: checkId(clientId), secret: checkSecret(secret) };
}

function formDecode(value: string): string {
  // Most ids and secrets have nothing encoded: skip the regex and the decoder (introspection's hot path).
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    throw new InvalidClient('malformed Basic credentials');
  }
}

function checkId(clientId: string): string {
  if (clientId.length > MAX_CLIENT_ID) throw new InvalidClient();
  return clientId;
}

function checkSecret(secret: string): string {
  if (secret.length > MAX_SECRET) throw new InvalidClient();
  return secret;
}
