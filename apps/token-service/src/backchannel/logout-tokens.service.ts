import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { CLOCK } from '@idp/nest-kit';
import type { Clock } from '@idp/contracts';
import { isSigningAlg, signLogoutToken, type TokenSigningKey } from '@idp/crypto';
import { ClientRegistry } from '../clients/client-registry.service';
import { KeyRingService } from '../keys/key-ring.service';

/** Bounds how many client streams one targets call folds at the same time. */
const LOOKUP_PARALLELISM = 32;

export interface BackchannelTarget {
  readonly clientId: string;
  readonly uri: string;
  readonly sessionRequired: boolean;
  readonly alg: string;
}

export interface LogoutTokenRequest {
  readonly aud: string;
  readonly sub?: string | undefined;
  readonly sid?: string | undefined;
  readonly jti: string;
  readonly alg?: string | undefined;
}

/**
 * token-service's half of OIDC Back-Channel Logout: who wants to hear about a
 * logout, and the signed logout tokens (only token-service holds private
 * keys). session-service owns the delivery itself.
 */
@Injectable()
export class LogoutTokens {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly clients: ClientRegistry,
    private readonly keys: KeyRingService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async targets(clientIds: readonly string[]): Promise<BackchannelTarget[]> {
    const unique = [...new Set(clientIds)];
    const found: (BackchannelTarget | undefined)[] = new Array(unique.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < unique.length; i = next++) {
        const client = await this.clients.find(unique[i]!);
        const uri = client?.metadata.backchannel_logout_uri;
        if (client && uri)
          found[i] = {
            clientId: client.clientId,
            uri,
            sessionRequired: client.metadata.backchannel_logout_session_required,
            alg: client.metadata.id_token_signed_response_alg,
          };
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_PARALLELISM, unique.length) }, worker));
    return found.filter((t): t is BackchannelTarget => t !== undefined);
  }

  /** Signs in request order; one key lookup per alg per call. */
  async sign(requests: readonly LogoutTokenRequest[]): Promise<string[]> {
    const keys = new Map<string, Promise<TokenSigningKey>>();
    const keyFor = (alg: string) => {
      let key = keys.get(alg);
      if (!key) {
        key = this.signingKey(alg);
        keys.set(alg, key);
      }
      return key;
    };
    const now = this.clock.nowSeconds();
    return Promise.all(
      requests.map(async (r) => {
        const signed = await signLogoutToken({
          issuer: this.config.ISSUER,
          aud: r.aud,
          ...(r.sub === undefined ? {} : { sub: r.sub }),
          ...(r.sid === undefined ? {} : { sid: r.sid }),
          jti: r.jti,
          key: await keyFor(r.alg ?? 'RS256'),
          now,
          lifetimeSeconds: this.config.BACKCHANNEL_LOGOUT_TOKEN_TTL,
        });
        return signed.token;
      }),
    );
  }

  private async signingKey(alg: string): Promise<TokenSigningKey> {
    // An alg we keep no key for (or none at all) falls back to RS256, which OIDC requires us to have.
    const usable = isSigningAlg(alg) && this.config.SIGNING_KEY_ALGS.includes(alg) ? alg : 'RS256';
    const k = await this.keys.signingKey(usable);
    return { kid: k.kid, alg: k.alg, privateKey: k.key };
  }
}
