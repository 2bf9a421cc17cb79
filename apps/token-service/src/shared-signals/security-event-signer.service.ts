import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { isSigningAlg, signSecurityEventToken } from '@idp/crypto';
import { KeyRingService } from '../keys/key-ring.service';

export interface SecurityEventRequest {
  readonly aud: string;
  readonly jti: string;
  readonly iat: number;
  readonly txn?: string | undefined;
  readonly subId: Readonly<Record<string, unknown>>;
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * token-service's half of the Shared Signals transmitter (ADR 0035): only
 * token-service holds private keys, so session-service asks it to sign the
 * SETs it delivers, a batch per call, one key lookup per call.
 */
@Injectable()
export class SecurityEventSigner {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly keys: KeyRingService,
  ) {}

  async sign(requests: readonly SecurityEventRequest[]): Promise<string[]> {
    if (requests.length === 0) return [];
    const wanted = this.config.SSF_SET_ALG;
    // An alg we keep no key for falls back to RS256, which OIDC requires us to have.
    const alg =
      isSigningAlg(wanted) && this.config.SIGNING_KEY_ALGS.includes(wanted) ? wanted : 'RS256';
    const k = await this.keys.signingKey(alg);
    const key = { kid: k.kid, alg: k.alg, privateKey: k.key };
    // Side by side: RSA signatures run on the thread pool (signCompactJws), several at once.
    return Promise.all(
      requests.map((r) =>
        signSecurityEventToken({
          issuer: this.config.ISSUER,
          aud: r.aud,
          jti: r.jti,
          iat: r.iat,
          ...(r.txn === undefined ? {} : { txn: r.txn }),
          subId: r.subId,
          events: r.events,
          key,
        }),
      ),
    );
  }
}
