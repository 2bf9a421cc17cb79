import { Inject, Injectable } from '@nestjs/common';
import { CacheUnavailableError, type PushedRequestStore } from '@idp/cache';
import { CONFIG, type Config } from '@idp/config';
import { keyedHash, randomBase64url } from '@idp/crypto';
import { StorageUnavailable } from '@idp/oauth-errors';
import { PAR_REQUEST_URI_PREFIX } from '../authorize/request-object';
import type { AuthorizationRequest } from '../authorize/types';
import { EdgeConfig } from '../http/edge-config';
import { PUSHED_REQUEST_STORE } from './pushed-request-store.module';

/** Ours: the prefix and 256 random bits as base64url (RFC 9126 7.1: unguessable). */
const OUR_REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/;

/**
 * Pushed authorization requests between POST /par and /authorize (RFC 9126):
 * the validated request is kept for PAR_REQUEST_URI_TTL seconds under a
 * keyed hash of its request_uri (a reader of the store cannot redeem what
 * it sees), bound to the client that pushed it, and taken at most once.
 */
@Injectable()
export class PushedRequests {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(PUSHED_REQUEST_STORE) private readonly store: PushedRequestStore,
    private readonly edge: EdgeConfig,
    @Inject(CONFIG) config: Config,
  ) {
    this.ttlSeconds = config.PAR_REQUEST_URI_TTL;
  }

  /** Stores `request` for its client: the request_uri to send, and how long it lives (RFC 9126 2.2). */
  async push(request: AuthorizationRequest): Promise<{ requestUri: string; expiresIn: number }> {
    const requestUri = `${PAR_REQUEST_URI_PREFIX}${randomBase64url(32)}`;
    await guarded(() =>
      this.store.save(
        this.handleOf(requestUri),
        { clientId: request.client_id, request: JSON.stringify(request) },
        this.ttlSeconds * 1000,
      ),
    );
    return { requestUri, expiresIn: this.ttlSeconds };
  }

  /**
   * The request pushed as `requestUri` by `clientId`, taken so nobody can
   * use it again; undefined when it is not ours, unknown, expired, already
   * used, or another client's (RFC 9126 4).
   */
  async redeem(requestUri: string, clientId: string): Promise<AuthorizationRequest | undefined> {
    if (!OUR_REQUEST_URI.test(requestUri)) return undefined;
    const stored = await guarded(() => this.store.redeem(this.handleOf(requestUri), clientId));
    if (stored === undefined) return undefined;
    const request = JSON.parse(stored) as AuthorizationRequest;
    // The store binds the entry to its client; a mismatch here would be a store defect.
    return request.client_id === clientId ? request : undefined;
  }

  private handleOf(requestUri: string): string {
    return keyedHash(this.edge.pushedRequestKey, requestUri);
  }
}

/** A store that cannot answer is 503 temporarily_unavailable (ADR 0014), never a 500 or a miss. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CacheUnavailableError) throw new StorageUnavailable(err);
    throw err;
  }
}
