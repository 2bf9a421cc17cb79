import { TokenVerificationError, verifyOurJwt, type VerifyOurJwtOptions } from '@idp/crypto';
import { InvalidRequest } from '@idp/oauth-errors';

/** What logout takes from a verified id_token_hint. */
export interface IdTokenHint {
  readonly sub: string;
  /** The audience as a list (our ID tokens carry one client_id; others may carry several). */
  readonly aud: readonly string[];
  /** The client the token was issued to: its only audience, or azp. */
  readonly clientId?: string;
  readonly sid?: string;
}

export type HintKeys = VerifyOurJwtOptions['jwks'];

/**
 * Verifies an id_token_hint (OIDC RP-Initiated Logout 1.0 section 2): it
 * must be an ID token (`typ: JWT`, never an access or logout token) signed
 * by one of our keys with our `iss`. An expired one is accepted ("The OP
 * need not be listed as an audience ... and the ID Token need not be
 * unexpired"), so the expiry check runs at a moment inside the token's
 * lifetime; the signature covers `exp`, so a forged one cannot move it.
 * Anything else is invalid_request, never redirected: nothing is trusted.
 */
export async function verifyIdTokenHint(
  token: string,
  options: { readonly jwks: HintKeys; readonly issuer: string; readonly now: number },
): Promise<IdTokenHint> {
  const exp = unverifiedExp(token);
  try {
    const claims = await verifyOurJwt(token, {
      jwks: options.jwks,
      issuer: options.issuer,
      typ: 'JWT',
      now: exp === undefined ? options.now : Math.min(options.now, exp - 1),
    });
    const aud = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    const azp = typeof claims['azp'] === 'string' ? claims['azp'] : undefined;
    const sid = typeof claims['sid'] === 'string' ? claims['sid'] : undefined;
    const clientId = aud.length === 1 ? aud[0] : azp;
    return {
      sub: claims.sub as string,
      aud,
      ...(clientId === undefined ? {} : { clientId }),
      ...(sid === undefined ? {} : { sid }),
    };
  } catch (err) {
    if (!(err instanceof TokenVerificationError)) throw err;
    throw refused();
  }
}

function refused(): InstanceType<typeof InvalidRequest> {
  const err = new InvalidRequest('id_token_hint is not an ID token issued by this server');
  err.allowRedirect = false;
  return err;
}

/** `exp` read before verification, only to pick the verification time; undefined when unreadable. */
function unverifiedExp(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const exp: unknown = (
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        exp?: unknown;
      }
    ).exp;
    return typeof exp === 'number' && Number.isSafeInteger(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}
