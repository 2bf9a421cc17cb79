import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { REPLAY_STORE, type ReplayStore } from '@idp/cache';
import { CONFIG, type Config } from '@idp/config';
import type { Clock } from '@idp/contracts';
import {
  decodeSecret,
  deriveKey,
  DpopNonces,
  DpopProofError,
  sha256Base64url,
  verifyDpopProof,
  type VerifiedDpopProof,
} from '@idp/crypto';
import { CLOCK } from '@idp/nest-kit';
import {
  dpopChallenge,
  InvalidDpopProof,
  TemporarilyUnavailable,
  UseDpopNonce,
} from '@idp/oauth-errors';
import { EdgeConfig } from '../http/edge-config';
import { dpopHeaderValues } from './dpop-headers';

/** Where a proof is checked: the token endpoint (400 errors) or a protected resource (401 + challenge). */
export type DpopUse =
  { readonly at: 'token' } | { readonly at: 'resource'; readonly accessToken: string };

/**
 * DPoP proofs at the edge (RFC 9449 4.3, ADR 0027): auth-api sees the method,
 * the public URL and the headers, so it checks the proof and passes only the
 * key's thumbprint (`jkt`) on to token-service. A proof's jti is claimed once
 * in the shared ReplayStore (Redis in the distributed mode) under a hash of
 * (jkt, jti), so a replay is refused by every replica and the stored keys
 * reveal nothing. Server nonces, when DPOP_NONCE is on, are HMACs of the
 * time window under an HKDF sub-key of TOKEN_HASH_KEY: the same on every
 * replica without shared state.
 */
@Injectable()
export class DpopProofs {
  readonly algs: readonly string[];
  readonly noncesRequired: boolean;
  private readonly nonces: DpopNonces;
  private readonly maxAge: number;
  private readonly skew: number;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly edge: EdgeConfig,
    @Inject(REPLAY_STORE) private readonly replay: ReplayStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.algs = config.DPOP_SIGNING_ALGS;
    this.noncesRequired = config.DPOP_NONCE;
    this.maxAge = config.DPOP_PROOF_MAX_AGE;
    this.skew = config.DPOP_CLOCK_SKEW;
    // EdgeConfig already refuses to start without TOKEN_HASH_KEY.
    const secret = decodeSecret(config.TOKEN_HASH_KEY ?? '');
    this.nonces = new DpopNonces(
      deriveKey(secret, 'auth-api:dpop-nonce'),
      config.DPOP_NONCE_LIFETIME,
    );
  }

  /** The `DPoP-Nonce` header for a successful answer, when nonces are on (RFC 9449 8.2). */
  nonceHeader(): Record<string, string> {
    return this.noncesRequired
      ? { 'DPoP-Nonce': this.nonces.current(this.clock.nowSeconds()) }
      : {};
  }

  /**
   * The request's verified proof, or undefined when it has no DPoP header.
   * Throws the RFC's error for `use` when a proof is there but fails a check.
   */
  async verify(
    request: Pick<IncomingMessage, 'rawHeaders' | 'method'>,
    path: string,
    use: DpopUse,
  ): Promise<VerifiedDpopProof | undefined> {
    const values = dpopHeaderValues(request);
    if (values.length === 0) return undefined;
    if (values.length > 1) throw this.invalid('exactly one DPoP header is allowed', use);
    const now = this.clock.nowSeconds();
    let proof: VerifiedDpopProof;
    try {
      proof = await verifyDpopProof({
        proof: values[0]!,
        method: request.method ?? '',
        url: this.edge.url(path),
        now,
        algs: this.algs,
        maxAge: this.maxAge,
        skew: this.skew,
        ...(use.at === 'resource' ? { accessToken: use.accessToken } : {}),
      });
    } catch (err) {
      if (err instanceof DpopProofError) throw this.invalid(err.message, use);
      throw err;
    }
    // The nonce before the replay claim: a proof refused for its nonce leaves its jti unspent.
    if (this.noncesRequired && !this.nonces.accepts(proof.nonce, now)) {
      const nonce = this.nonces.current(now);
      throw use.at === 'token'
        ? new UseDpopNonce(nonce)
        : new UseDpopNonce(nonce, {
            status: 401,
            challenge: dpopChallenge({
              error: 'use_dpop_nonce',
              description: 'the DPoP proof must carry the server nonce in DPoP-Nonce',
              algs: this.algs,
            }),
          });
    }
    // Kept as long as the proof could still be accepted: iat up to skew ahead, maxAge back.
    const ttlMs = (this.maxAge + 2 * this.skew + 1) * 1000;
    const key = `dpop:${sha256Base64url(`${proof.jkt}\u0000${proof.jti}`)}`;
    if (!(await this.claim(key, ttlMs))) throw this.invalid('the DPoP proof was already used', use);
    return proof;
  }

  /** A store that cannot answer never lets a proof through: 503 with Retry-After (ADR 0014). */
  private async claim(key: string, ttlMs: number): Promise<boolean> {
    try {
      return await this.replay.claimOnce(key, ttlMs);
    } catch (err) {
      throw new TemporarilyUnavailable('the DPoP replay check is unavailable', { cause: err });
    }
  }

  /** RFC 9449 7.1: a DPoP-scheme request without a proof. */
  missingProof(): InvalidDpopProof {
    return this.invalid('the DPoP scheme requires a DPoP proof', {
      at: 'resource',
      accessToken: '',
    });
  }

  private invalid(description: string, use: DpopUse): InvalidDpopProof {
    if (use.at === 'token') return new InvalidDpopProof(description);
    return new InvalidDpopProof(description, {
      status: 401,
      headers: {
        'WWW-Authenticate': dpopChallenge({
          error: 'invalid_dpop_proof',
          description,
          algs: this.algs,
        }),
      },
    });
  }
}
