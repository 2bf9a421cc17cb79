import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  mintOpaqueToken,
  pooledRandomBytes,
  signAccessTokenJwt,
  signIdToken,
  type SigningAlg,
  type TokenSigningKey,
} from '@idp/crypto';
import {
  hasScope,
  type AccessTokenSpec,
  type IdTokenSpec,
  type RefreshTokenSpec,
  type RegisteredClient,
  type TokenTargets,
} from '@idp/domain';
import type { ActorClaim, Confirmation } from '@idp/contracts';
import { InvalidTarget } from '@idp/oauth-errors';
import { KeyRingService } from '../keys/key-ring.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
import { TokenSecrets } from '../secrets/token-secrets';
import { accessTokenFormatFor } from './access-token-format';
import { encryptForResource } from './encrypt-for-resource';
import { USERINFO_HANDLE_HEADER, UserinfoHandles } from './userinfo-handle';

export interface AccessTokenInput {
  readonly grantId: string;
  /** The key the token is bound to (DPoP, RFC 9449 6): `cnf` in every format. */
  readonly cnf?: Confirmation | undefined;
  readonly client: RegisteredClient;
  readonly subject: Subject;
  readonly scope: string;
  readonly extraClaims: Record<string, unknown>;
  readonly now: number;
  /**
   * RFC 8707: the resources the token is for (`tokenTargets`); the client's
   * registered `resources` when absent. The first decides the format and
   * the JWE recipient.
   */
  readonly targets?: TokenTargets;
  /** RFC 8693 4.1: the delegation chain of an exchanged token, the `act` claim. */
  readonly act?: ActorClaim | undefined;
  /** RFC 8693 requested_token_type jwt: a readable JWT where the target would get an opaque one. */
  readonly readable?: boolean;
}

export interface Subject {
  readonly sub: string | null;
  readonly sid?: string;
  readonly authTime?: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
}

/**
 * Makes token values and the facts the grant records about them. The
 * access token and the ID token are always two different artefacts: an
 * opaque handle, an `at+jwt`, or an `at+jwt` encrypted to the resource
 * server (jwe) for resource servers, and a `JWT` for the client, signed
 * with the keys each client registered for each.
 */
@Injectable()
export class TokenMinter {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly keys: KeyRingService,
    private readonly secrets: TokenSecrets,
    private readonly resources: ResourceRegistry,
    private readonly handles: UserinfoHandles,
  ) {}

  /** A JWT's jti starts with its grant id, so a presented JWT finds its grant in one read. */
  static grantIdOfJti(jti: string): string | undefined {
    const dot = jti.indexOf('.');
    return dot > 0 ? jti.slice(0, dot) : undefined;
  }

  async accessToken(input: AccessTokenInput): Promise<{ token: string; spec: AccessTokenSpec }> {
    const { client, grantId, now } = input;
    const m = client.metadata;
    const targets = input.targets?.resources ?? m.resources;
    const first = targets[0];
    const resource = first === undefined ? undefined : await this.resources.find(first);
    // A resource the request names must be a resource server we know (ADR 0030): an
    // unknown one is RFC 8707's invalid_target, before anything is minted or appended.
    if (input.targets?.named && !resource)
      throw new InvalidTarget('the requested resource is not a registered resource server');
    const chosen = accessTokenFormatFor(m.access_token_format, resource);
    const format = input.readable && chosen === 'opaque' ? 'jwt' : chosen;
    const jti = `${grantId}.${pooledRandomBytes(12).toString('base64url')}`;
    const extraClaims = input.extraClaims;
    const bound = {
      ...(input.cnf === undefined ? {} : { cnf: input.cnf }),
      ...(input.act === undefined ? {} : { act: input.act }),
    };
    if (format === 'opaque') {
      const aud = targets.length ? [...targets] : [this.config.ISSUER];
      const token = mintOpaqueToken('at', this.secrets.macKey, grantId);
      const exp = now + this.config.ACCESS_TOKEN_TTL;
      const tokenHash = this.secrets.tokenHash(token);
      return { token, spec: { jti, tokenHash, format, aud, exp, extraClaims, ...bound } };
    }
    if (format === 'jwt') {
      const aud = targets.length ? [...targets] : [this.config.ISSUER];
      const signed = await this.signAccessToken(input, jti, aud);
      return {
        token: signed.token,
        spec: { jti, format, aud, exp: signed.exp, extraClaims, ...bound },
      };
    }
    // jwe: one compact JWE has one recipient, so the token is for the first
    // resource only and says so in aud. Never downgrade to a readable jwt.
    if (!resource)
      throw new InvalidTarget(
        `resource ${first ?? '(none)'} has no registered encryption key: ` +
          'cannot issue the encrypted access token this client is registered for',
      );
    const aud = [resource.resource];
    const signed = await this.signAccessToken(input, jti, aud);
    // Only a token /userinfo would accept carries the handle (ADR 0007).
    const forUserinfo = input.subject.sub !== null && hasScope(input.scope, 'openid');
    const header: Record<string, string> = forUserinfo
      ? { [USERINFO_HANDLE_HEADER]: this.handles.mint(jti) }
      : {};
    const token = await encryptForResource(signed.token, resource, header);
    return { token, spec: { jti, format, aud, exp: signed.exp, extraClaims, ...bound } };
  }

  /** `cnf`: the DPoP key a public client's refresh token is bound to (RFC 9449 5). */
  refreshToken(
    grantId: string,
    now: number,
    cnf?: Confirmation,
  ): { token: string; spec: RefreshTokenSpec } {
    const token = mintOpaqueToken('rt', this.secrets.macKey, grantId);
    return {
      token,
      spec: {
        tokenHash: this.secrets.tokenHash(token),
        exp: now + this.config.REFRESH_TOKEN_TTL,
        ...(cnf === undefined ? {} : { cnf }),
      },
    };
  }

  authorizationCode(grantId: string, now: number): { code: string; codeHash: string; exp: number } {
    const code = mintOpaqueToken('ac', this.secrets.macKey, grantId);
    return {
      code,
      codeHash: this.secrets.tokenHash(code),
      exp: now + this.config.AUTHORIZATION_CODE_TTL,
    };
  }

  async idToken(input: {
    client: RegisteredClient;
    subject: Subject & { sub: string };
    nonce?: string;
    accessToken?: string;
    code?: string;
    claims: Record<string, unknown>;
    now: number;
  }): Promise<{ token: string; spec: IdTokenSpec }> {
    const signed = await signIdToken({
      issuer: this.config.ISSUER,
      sub: input.subject.sub,
      aud: input.client.clientId,
      azp: input.client.clientId,
      ...optional(input.subject),
      ...(input.nonce ? { nonce: input.nonce } : {}),
      ...(input.accessToken ? { accessToken: input.accessToken } : {}),
      ...(input.code ? { code: input.code } : {}),
      extraClaims: input.claims,
      lifetimeSeconds: this.config.ID_TOKEN_TTL,
      now: input.now,
      key: await this.signingKey(input.client.metadata.id_token_signed_response_alg),
    });
    return { token: signed.token, spec: { jti: signed.jti, exp: signed.exp } };
  }

  private signAccessToken(input: AccessTokenInput, jti: string, aud: string[]) {
    return this.signingKey(input.client.metadata.access_token_signed_response_alg).then((key) =>
      signAccessTokenJwt({
        issuer: this.config.ISSUER,
        sub: input.subject.sub,
        clientId: input.client.clientId,
        aud,
        scope: input.scope,
        ...optional(input.subject),
        extraClaims: input.extraClaims,
        lifetimeSeconds: this.config.ACCESS_TOKEN_TTL,
        now: input.now,
        key,
        jti,
        ...(input.cnf === undefined ? {} : { cnf: input.cnf }),
        ...(input.act === undefined ? {} : { act: { ...input.act } }),
      }),
    );
  }

  private async signingKey(alg: string): Promise<TokenSigningKey> {
    const k = await this.keys.signingKey(alg as SigningAlg);
    return { kid: k.kid, alg: k.alg, privateKey: k.key };
  }
}

function optional(s: Subject) {
  return {
    ...(s.sid ? { sid: s.sid } : {}),
    ...(s.authTime !== undefined ? { authTime: s.authTime } : {}),
    ...(s.acr ? { acr: s.acr } : {}),
    ...(s.amr?.length ? { amr: [...s.amr] } : {}),
  };
}
