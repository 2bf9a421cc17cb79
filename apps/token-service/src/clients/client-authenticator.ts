import { Inject, Injectable, Logger } from '@nestjs/common';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { ClientAuthentication, Clock } from '@idp/contracts';
import { CLOCK } from '@idp/nest-kit';
import {
  assertionAlgsFor,
  HMAC_MIN_KEY_OCTETS,
  type AssertionMethod,
  type RegisteredClient,
} from '@idp/domain';
import { InvalidClient, TemporarilyUnavailable } from '@idp/oauth-errors';
import { TokenSecrets } from '../secrets/token-secrets';
import { ClientRegistry } from './client-registry.service';
import { AssertionReplayGuard } from './assertion-replay-guard';
import { authMethodMismatch } from './auth-method-mismatch';
import { ClientJwks } from './client-jwks';

const MAX_ASSERTION_LIFETIME_SECONDS = 600;

/**
 * Client authentication at the token endpoint (RFC 6749 2.3, OIDC Core 9,
 * RFC 7523 3). A client must use the method it registered; every failure is
 * the same `invalid_client`, so the response never tells which part was wrong,
 * except a known client using another method than the one it registered: that
 * answer names the registered method (authMethodMismatch).
 */
@Injectable()
export class ClientAuthenticator {
  private readonly log = new Logger('ClientAuthenticator');

  constructor(
    private readonly clients: ClientRegistry,
    private readonly secrets: TokenSecrets,
    private readonly replay: AssertionReplayGuard,
    private readonly jwks: ClientJwks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `endpoint`: the URL (or URLs) a private_key_jwt assertion may name as its
   * audience besides the issuer (RFC 7523 3; RFC 9126 2 adds the token
   * endpoint's URL at the pushed authorization request endpoint).
   */
  async authenticate(
    auth: ClientAuthentication,
    endpoint: string | readonly string[],
    issuer: string,
  ): Promise<RegisteredClient> {
    const fail = (cause?: unknown, description = 'client authentication failed') =>
      new InvalidClient(description, {
        scheme: auth.method === 'client_secret_basic' ? 'Basic' : null,
        cause,
      });
    const clientId = auth.clientId ?? this.assertionSubject(auth.assertion);
    if (!clientId) throw fail();
    const client = await this.clients.find(clientId);
    if (!client) throw fail();
    const registered = client.metadata.token_endpoint_auth_method;
    if (registered !== auth.method) {
      throw fail(undefined, authMethodMismatch(registered, auth.method));
    }
    switch (auth.method) {
      case 'client_secret_basic':
      case 'client_secret_post':
        if (
          !auth.secret ||
          !client.secretHash ||
          !this.secrets.clientSecretMatches(auth.secret, client.secretHash)
        ) {
          throw fail();
        }
        return client;
      case 'none':
        if (auth.secret || auth.assertion) throw fail();
        return client;
      case 'private_key_jwt':
      case 'client_secret_jwt':
        await this.verifyAssertion(
          client,
          auth.method,
          auth.assertion,
          [endpoint, issuer].flat(),
        ).catch((err: unknown) => {
          // The replay store being down is ours to answer (503), not the client's fault.
          if (err instanceof TemporarilyUnavailable) throw err;
          throw fail(err);
        });
        return client;
    }
  }

  /**
   * The same rules, for an endpoint only confidential clients may call
   * (introspection, RFC 7662 2.1): a public client has no credentials to
   * prove who it is, so `none` is invalid_client whatever it registered.
   */
  async authenticateConfidential(
    auth: ClientAuthentication,
    endpoint: string,
    issuer: string,
  ): Promise<RegisteredClient> {
    if (auth.method === 'none')
      throw new InvalidClient('this endpoint requires client credentials', { scheme: null });
    return this.authenticate(auth, endpoint, issuer);
  }

  private assertionSubject(assertion: string | undefined): string | undefined {
    if (!assertion) return undefined;
    try {
      const sub = decodeJwt(assertion).sub;
      return typeof sub === 'string' ? sub : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * RFC 7523 3: iss = sub = client_id, aud = token endpoint (or issuer), exp,
   * single-use jti; the same rules for both methods, only the key differs.
   */
  private async verifyAssertion(
    client: RegisteredClient,
    method: AssertionMethod,
    assertion: string | undefined,
    audience: string[],
  ) {
    if (!assertion) throw new Error('no assertion');
    const allowed = assertionAlgsFor(method, client.metadata.token_endpoint_auth_signing_alg);
    const { payload } =
      method === 'client_secret_jwt'
        ? await this.verifyWithSecret(client, assertion, audience, allowed)
        : await this.verifyWithJwks(client, assertion, audience, allowed);
    // iat is optional in RFC 7523, so bound the lifetime by exp instead: the
    // replay guard must remember every jti until it expires.
    const now = this.clock.nowSeconds();
    if (Number(payload.exp) > now + MAX_ASSERTION_LIFETIME_SECONDS) {
      throw new Error('assertion lifetime too long');
    }
    if (
      !(await this.replay.firstUse(client.clientId, String(payload.jti), Number(payload.exp), now))
    ) {
      throw new Error('assertion jti replayed');
    }
  }

  private claimRules(client: RegisteredClient, audience: string[], algorithms: string[]) {
    if (!algorithms.length) throw new Error('no assertion algorithm is allowed for this client');
    return {
      issuer: client.clientId,
      subject: client.clientId,
      audience,
      algorithms,
      requiredClaims: ['exp', 'jti'],
    };
  }

  private async verifyWithJwks(
    client: RegisteredClient,
    assertion: string,
    audience: string[],
    allowed: readonly string[],
  ): Promise<{ payload: JWTPayload }> {
    const withKeys = (keys: JWK[]) => {
      if (!keys.length) throw new Error('client has no registered jwks');
      return jwtVerify(
        assertion,
        createLocalJWKSet({ keys }),
        this.claimRules(client, audience, [...allowed]),
      );
    };
    return withKeys(await this.jwks.keysFor(client)).catch(async (err: unknown) => {
      // A jwks_uri client may have rotated its key since we fetched its set.
      if (!(err instanceof errors.JWKSNoMatchingKey) || client.metadata.jwks_uri === undefined)
        throw err;
      return withKeys(await this.jwks.keysFor(client, true));
    });
  }

  /**
   * client_secret_jwt: the HMAC key is the octets of the UTF-8 secret (OIDC
   * Core 16.19), and an algorithm whose hash is longer than that key is not
   * accepted (RFC 7518 3.2). A sealed secret that does not open fails closed
   * (invalid_client), logged for the operator: KEY_ENCRYPTION_KEY is not the
   * key it was sealed under. jose checks the MAC with WebCrypto's verify,
   * which compares in constant time.
   */
  private async verifyWithSecret(
    client: RegisteredClient,
    assertion: string,
    audience: string[],
    allowed: readonly string[],
  ): Promise<{ payload: JWTPayload }> {
    const secret = this.clients.hmacSecret(client);
    if (secret === undefined) {
      this.log.error(
        `client ${client.clientId}: its client_secret_jwt secret does not open with KEY_ENCRYPTION_KEY`,
      );
      throw new Error('client secret unavailable');
    }
    const key = new TextEncoder().encode(secret);
    const algorithms = allowed.filter(
      (alg) =>
        key.length >= (HMAC_MIN_KEY_OCTETS[alg as keyof typeof HMAC_MIN_KEY_OCTETS] ?? Infinity),
    );
    return jwtVerify(assertion, key, this.claimRules(client, audience, algorithms));
  }
}
