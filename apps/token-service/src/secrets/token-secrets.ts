import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { constantTimeEqual, deriveTokenKeys, keyedHash } from '@idp/crypto';

/**
 * The keys derived from TOKEN_HASH_KEY, one per purpose: storing token
 * hashes, MACing opaque tokens, storing client secrets. Nothing that can be
 * presented as a credential is ever stored or logged in clear.
 */
@Injectable()
export class TokenSecrets {
  readonly macKey: Buffer;
  private readonly tokenHashKey: Buffer;
  private readonly clientSecretKey: Buffer;

  constructor(@Inject(CONFIG) config: Config) {
    if (!config.TOKEN_HASH_KEY) throw new Error('TOKEN_HASH_KEY is required by token-service');
    const keys = deriveTokenKeys(config.TOKEN_HASH_KEY);
    this.macKey = keys.macKey;
    this.tokenHashKey = keys.tokenHashKey;
    this.clientSecretKey = keys.clientSecretKey;
  }

  /** How a token (or code) is stored and looked up. */
  tokenHash(token: string): string {
    return keyedHash(this.tokenHashKey, token);
  }

  clientSecretHash(secret: string): string {
    return keyedHash(this.clientSecretKey, secret);
  }

  clientSecretMatches(secret: string, storedHash: string): boolean {
    return constantTimeEqual(this.clientSecretHash(secret), storedHash);
  }
}
