import { Inject, Injectable } from '@nestjs/common';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { CONFIG, type Config } from '@idp/config';
import { MAX_REQUEST_OBJECT_LENGTH, type Clock } from '@idp/contracts';
import type { RegisteredClient } from '@idp/domain';
import { CLOCK } from '@idp/nest-kit';
import { OAuthError } from '@idp/oauth-errors';
import { ClientJwks } from '../clients/client-jwks';
import { ClientRegistry } from '../clients/client-registry.service';
import {
  authorizationParams,
  checkCompactJws,
  checkHeader,
  checkTimes,
  invalidRequestObject,
} from './request-object-rules';
import { RequestUriFetcher } from './request-uri-fetcher';

export type RequestObjectSource =
  | { readonly clientId: string; readonly request: string }
  | { readonly clientId: string; readonly requestUri: string };

/** jose's verdicts, as the client may read them (never the keys or the object). */
function describe(err: unknown): string {
  if (err instanceof errors.JWKSNoMatchingKey)
    return 'no key registered for the client verifies the request object';
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return 'the request object signature is invalid';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'iss of the request object must be the client_id';
    if (err.claim === 'aud') return 'aud of the request object must be the issuer';
    return `the request object claim ${err.claim} is invalid`;
  }
  return 'the request object could not be verified';
}

/**
 * Request objects (RFC 9101, OIDC Core 6): resolved here, not at the edge,
 * because this service owns what verifying one needs: the client's keys
 * (registered `jwks`, or `jwks_uri` fetched and cached by ClientJwks) and
 * the guarded outbound client for request_uri. The answer is the
 * authorization parameters; auth-api validates them as any other request.
 */
@Injectable()
export class RequestObjects {
  private readonly issuer: string;

  constructor(
    private readonly clients: ClientRegistry,
    private readonly jwks: ClientJwks,
    private readonly fetcher: RequestUriFetcher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: Pick<Config, 'ISSUER'>,
  ) {
    this.issuer = config.ISSUER;
  }

  async resolve(source: RequestObjectSource): Promise<Record<string, string | string[]>> {
    const client = await this.clients.find(source.clientId);
    if (!client) throw new OAuthError('invalid_client', { description: 'unknown client_id' });
    const jwt =
      'request' in source ? source.request : await this.fetcher.fetch(client, source.requestUri);
    const payload = await this.verify(client, jwt);
    return authorizationParams(payload, client.clientId);
  }

  private async verify(client: RegisteredClient, jwt: string): Promise<JWTPayload> {
    if (jwt.length > MAX_REQUEST_OBJECT_LENGTH)
      throw invalidRequestObject(
        `the request object is longer than ${MAX_REQUEST_OBJECT_LENGTH} bytes`,
      );
    checkCompactJws(jwt);
    let header;
    try {
      header = decodeProtectedHeader(jwt);
    } catch (err) {
      throw invalidRequestObject('the request object header is not valid JSON', err);
    }
    const alg = checkHeader(header, client.metadata.request_object_signing_alg);
    const now = this.clock.nowSeconds();
    const verify = async (keys: JWK[]) => {
      if (!keys.length)
        throw invalidRequestObject('the client registered no keys (jwks or jwks_uri)');
      return jwtVerify(jwt, createLocalJWKSet({ keys }), {
        algorithms: [alg],
        issuer: client.clientId,
        // RFC 9101 4: aud SHOULD be the issuer; a string or an array holding it.
        audience: this.issuer,
        // Times are checked below, with our own rules and messages.
        currentDate: new Date(now * 1000),
        clockTolerance: Number.MAX_SAFE_INTEGER,
      });
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(await this.jwks.keysFor(client)).catch(async (err: unknown) => {
        // A jwks_uri client may have rotated its key since we fetched its set.
        if (!(err instanceof errors.JWKSNoMatchingKey) || client.metadata.jwks_uri === undefined)
          throw err;
        return verify(await this.jwks.keysFor(client, true));
      }));
    } catch (err) {
      if (err instanceof OAuthError) throw err;
      throw invalidRequestObject(describe(err), err);
    }
    checkTimes(payload, now);
    return payload;
  }
}
