import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { decodeSecret, deriveKey, openBox, sealBox } from '@idp/crypto';

/** The box is bound to its client: a sealed secret copied onto another client's record never opens. */
const aad = (clientId: string) => `client_secret:${clientId}`;

/**
 * The clear client secrets token-service must keep: only those of
 * client_secret_jwt clients, whose assertions are HMACs keyed by the secret
 * itself (RFC 7523, OIDC Core 9), so a hash cannot check them (ADR 0031).
 * They are sealed (AES-256-GCM, packages/crypto sealed-box) under a key
 * derived from KEY_ENCRYPTION_KEY for this purpose alone, the key that
 * already protects the private signing keys in the same event store.
 */
@Injectable()
export class ClientSecretBox {
  private readonly key: Buffer;

  constructor(@Inject(CONFIG) config: Pick<Config, 'KEY_ENCRYPTION_KEY'>) {
    if (!config.KEY_ENCRYPTION_KEY)
      throw new Error('KEY_ENCRYPTION_KEY is required by token-service');
    this.key = deriveKey(decodeSecret(config.KEY_ENCRYPTION_KEY), 'client-secret-box');
  }

  seal(clientId: string, secret: string): string {
    return sealBox(this.key, aad(clientId), secret);
  }

  /** The secret, or undefined when the box does not open (another key, another client, altered). */
  open(clientId: string, sealed: string): string | undefined {
    return openBox(this.key, aad(clientId), sealed);
  }
}
