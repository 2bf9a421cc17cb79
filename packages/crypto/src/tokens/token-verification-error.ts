export type TokenVerificationReason =
  | 'malformed'
  | 'alg'
  | 'signature'
  | 'typ'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  /** A claim the token type requires is missing or has the wrong type. */
  | 'claims'
  | 'decryption';

/**
 * Why one of our tokens was refused. The reason is for logs, metrics and the
 * caller's choice of RFC 6750 error; it is never echoed to the client, which
 * only ever learns `invalid_token`.
 */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  constructor(
    readonly reason: TokenVerificationReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps jose's error codes (stable across its versions, unlike class identity) to our reasons. */
export function fromJoseError(err: unknown): TokenVerificationError {
  if (err instanceof TokenVerificationError) return err;
  const { code, claim, message } = (err ?? {}) as {
    code?: string;
    claim?: string;
    message?: string;
  };
  const wrap = (reason: TokenVerificationReason) =>
    new TokenVerificationError(reason, message ?? String(err), { cause: err });
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return wrap('expired');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return wrap('alg');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return wrap('signature');
    case 'ERR_JWE_DECRYPTION_FAILED':
      return wrap('decryption');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return wrap(claimReason(claim));
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, ERR_JWE_INVALID, ERR_JWK_INVALID, TypeError...
      return wrap('malformed');
  }
}

function claimReason(claim: string | undefined): TokenVerificationReason {
  switch (claim) {
    case 'typ':
      return 'typ';
    case 'iss':
      return 'issuer';
    case 'aud':
      return 'audience';
    case 'nbf':
      return 'not_yet_valid';
    default:
      return 'claims';
  }
}
