import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { CONFIG, type Config, type TrustedIssuer } from '@idp/config';
import { actorClaim, type ActorClaim } from '@idp/contracts';
import { InvalidGrant, InvalidRequest, TemporarilyUnavailable } from '@idp/oauth-errors';
import { TokenServiceOutbound } from '../../clients/outbound-client.provider';

/** A trusted issuer's key set is reused this long. */
const FRESH_MS = 5 * 60_000;
/** An unknown kid refetches the key set, at most this often per issuer. */
const REFETCH_AFTER_MS = 30_000;
/** Far above any JWT worth exchanging; checked before anything is parsed. */
const MAX_JWT_LENGTH = 8192;

/** What a trusted issuer's JWT says, once verified. */
export interface ExternalSubject {
  readonly issuer: string;
  readonly sub: string;
  readonly scope: string;
  readonly act?: ActorClaim | undefined;
  readonly mayAct?: unknown;
}

interface Fetched {
  readonly at: number;
  readonly keys: JWK[];
}

const refused = () => new InvalidRequest('subject_token is not a JWT of a trusted issuer');

/**
 * RFC 8693 subject tokens of type jwt, from the issuers operators listed in
 * TOKEN_EXCHANGE_TRUSTED_ISSUERS only: the `iss` (read before verifying,
 * only to pick the issuer) must be one of them; the signature must verify
 * with a key of its jwks_uri (fetched through the guarded outbound client)
 * under its alg allow-list; `aud` must name us and `exp` be in the future.
 */
@Injectable()
export class TrustedIssuers {
  private readonly byIssuer: ReadonlyMap<string, TrustedIssuer>;
  private readonly fetched = new LRUCache<string, Fetched, string>({
    max: 100,
    ttl: FRESH_MS,
    ignoreFetchAbort: true,
    fetchMethod: async (_issuer, _stale, { context: uri }) => ({
      at: Date.now(),
      keys: await this.fetch(uri),
    }),
  });

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly outbound: TokenServiceOutbound,
  ) {
    this.byIssuer = new Map(
      config.TOKEN_EXCHANGE_TRUSTED_ISSUERS.filter((t) => t.issuer !== config.ISSUER).map((t) => [
        t.issuer,
        t,
      ]),
    );
  }

  get configured(): boolean {
    return this.byIssuer.size > 0;
  }

  async verify(token: string, now: number): Promise<ExternalSubject> {
    if (token.length > MAX_JWT_LENGTH || token.split('.').length !== 3) throw refused();
    let iss: unknown;
    let kid: unknown;
    try {
      iss = decodeJwt(token).iss;
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw refused();
    }
    const trusted = typeof iss === 'string' ? this.byIssuer.get(iss) : undefined;
    if (!trusted) throw refused();
    let keys = await this.keysOf(trusted, false);
    if (typeof kid === 'string' && !keys.some((k) => k.kid === kid))
      keys = await this.keysOf(trusted, true);
    const payload = await jwtVerify(token, createLocalJWKSet({ keys }), {
      issuer: trusted.issuer,
      audience: this.config.ISSUER,
      algorithms: [...trusted.algs],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: 5,
      currentDate: new Date(now * 1000),
    }).then(
      (r) => r.payload,
      (err: unknown) => {
        // Genuinely the issuer's, but past its exp: inactive rather than malformed.
        if ((err as { code?: unknown }).code === 'ERR_JWT_EXPIRED')
          throw new InvalidGrant('the subject_token is not active');
        throw refused();
      },
    );
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200)
      throw refused();
    const act = payload['act'] === undefined ? undefined : actorClaim.safeParse(payload['act']);
    if (act && !act.success) throw new InvalidRequest('the subject token has a malformed act');
    return {
      issuer: trusted.issuer,
      sub: payload.sub,
      scope: typeof payload['scope'] === 'string' ? payload['scope'] : '',
      ...(act?.success ? { act: act.data } : {}),
      ...(payload['may_act'] === undefined ? {} : { mayAct: payload['may_act'] }),
    };
  }

  /** A failed fetch is not cached, and is a 503 to the client: the fault is not its request. */
  private async keysOf(trusted: TrustedIssuer, refresh: boolean): Promise<JWK[]> {
    const hit = this.fetched.peek(trusted.issuer);
    try {
      const fetched = await this.fetched.fetch(trusted.issuer, {
        context: trusted.jwks_uri,
        forceRefresh: refresh && hit !== undefined && Date.now() - hit.at >= REFETCH_AFTER_MS,
      });
      return fetched?.keys ?? [];
    } catch {
      throw new TemporarilyUnavailable('the trusted issuer keys could not be fetched');
    }
  }

  private async fetch(uri: string): Promise<JWK[]> {
    const res = await this.outbound.request(uri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    if (res.status !== 200) throw new Error(`trusted issuer jwks_uri answered HTTP ${res.status}`);
    const doc = JSON.parse(res.body.toString('utf8')) as { keys?: unknown };
    if (!Array.isArray(doc.keys)) throw new Error('trusted issuer jwks_uri is not a JWK Set');
    return doc.keys as JWK[];
  }
}
