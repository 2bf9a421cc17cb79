import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { CacheInvalidations, Unsubscribe } from '@idp/cache';
import type { ClientAuthentication } from '@idp/contracts';
import { InvalidClient, OAuthError } from '@idp/oauth-errors';
import type { CallerCache } from './caller-cache';
import { type TokenRpcClient } from '@idp/contracts';

/** Where client events are announced to every replica (the projection publishes `client:<id>`). */
export const CLIENT_INVALIDATION_CHANNEL = 'introspection:clients';

/**
 * Authenticates the caller of /introspect (RFC 7662 2.1) through
 * token-service, which holds the client registry, and remembers the answer
 * per replica for a short while. Any client event, or a gap in the
 * invalidation channel, forgets every caller at once.
 */
export class CallerAuthenticator implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Introspection');
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly tokens: Pick<TokenRpcClient, 'authenticateClient'>,
    private readonly callers: CallerCache,
    private readonly invalidations: CacheInvalidations,
    private readonly endpoint: string,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.invalidations.subscribe(
      CLIENT_INVALIDATION_CHANNEL,
      () => this.callers.clear(),
      { onReset: () => this.callers.clear() },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsubscribe?.().catch(() => undefined);
  }

  /** The caller's client_id, or InvalidClient (a Basic challenge only when Basic was used). */
  async authenticate(clientAuth: ClientAuthentication): Promise<string> {
    const scheme = clientAuth.method === 'client_secret_basic' ? 'Basic' : null;
    // A public client cannot protect its introspection calls (RFC 7662 2.1).
    if (clientAuth.method === 'none') {
      throw new InvalidClient('client authentication is required', { scheme });
    }
    return this.callers.clientId(clientAuth, async () => {
      try {
        const { clientId } = await this.tokens.authenticateClient({
          clientAuth,
          endpoint: this.endpoint,
        });
        return clientId;
      } catch (err) {
        if (err instanceof OAuthError && err.error === 'invalid_client') {
          throw new InvalidClient(err.description ?? 'client authentication failed', {
            scheme,
            cause: err,
          });
        }
        if (!(err instanceof OAuthError))
          this.log.warn(`authenticateClient failed: ${String(err)}`);
        throw err;
      }
    });
  }
}
