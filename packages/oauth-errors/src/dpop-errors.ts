import { OAuthError } from './oauth-error';

/** Quotes a value for an auth-param (RFC 9110 quoted-string). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The DPoP challenge of a protected resource (RFC 9449 7.1): the error, its
 * description, and the algs we accept for proofs, so a client can pick one.
 */
export function dpopChallenge(fields: {
  readonly error?: string | undefined;
  readonly description?: string | undefined;
  readonly algs: readonly string[];
}): string {
  const params = [
    ...(fields.error === undefined ? [] : [`error=${quote(fields.error)}`]),
    ...(fields.description === undefined ? [] : [`error_description=${quote(fields.description)}`]),
    `algs=${quote(fields.algs.join(' '))}`,
  ];
  return `DPoP ${params.join(', ')}`;
}

/**
 * RFC 9449 7.1: the token cannot be used as presented (a DPoP-bound token sent
 * as a Bearer token, or with a proof by another key): 401 with a DPoP challenge.
 */
export function dpopInvalidToken(description: string, algs: readonly string[]): OAuthError {
  return new OAuthError('invalid_token', {
    description,
    status: 401,
    headers: { 'WWW-Authenticate': dpopChallenge({ error: 'invalid_token', description, algs }) },
  });
}

/** RFC 9449 5, 7: the DPoP proof is missing, malformed, or fails a check. 400 at /token. */
export class InvalidDpopProof extends OAuthError {
  override readonly name = 'invalid_dpop_proof';
  constructor(
    description = 'the DPoP proof is invalid',
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super('invalid_dpop_proof', {
      description,
      status: options.status ?? 400,
      headers: options.headers ?? {},
    });
  }
}

/**
 * RFC 9449 8, 9: the proof must carry our current nonce; the answer hands it
 * out in `DPoP-Nonce`. 400 at /token; 401 with a DPoP challenge at a resource.
 */
export class UseDpopNonce extends OAuthError {
  override readonly name = 'use_dpop_nonce';
  constructor(nonce: string, options: { status?: number; challenge?: string } = {}) {
    super('use_dpop_nonce', {
      description: 'the DPoP proof must carry the server nonce in DPoP-Nonce',
      status: options.status ?? 400,
      headers: {
        'DPoP-Nonce': nonce,
        ...(options.challenge === undefined ? {} : { 'WWW-Authenticate': options.challenge }),
      },
    });
  }
}
