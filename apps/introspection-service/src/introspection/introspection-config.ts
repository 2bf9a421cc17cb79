import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { deriveTokenKeys, type TokenKeys } from '@idp/crypto';

/** What the introspection endpoint needs from configuration, computed once at boot. */
@Injectable()
export class IntrospectionConfig {
  readonly issuer: string;
  /** The URL callers put in private_key_jwt assertions (RFC 7523 3: our endpoint). */
  readonly endpoint: string;
  readonly keys: Pick<TokenKeys, 'macKey' | 'tokenHashKey'>;
  readonly callerCacheTtlMs: number;
  readonly readThroughTimeoutMs: number;
  /** Tokens per kind whose local check is remembered (`CheckedTokens`); 0 = none. */
  readonly checkedTokens: number;

  constructor(@Inject(CONFIG) config: Config) {
    if (!config.TOKEN_HASH_KEY) {
      throw new Error('TOKEN_HASH_KEY is required by introspection-service');
    }
    const { macKey, tokenHashKey } = deriveTokenKeys(config.TOKEN_HASH_KEY);
    this.keys = { macKey, tokenHashKey };
    this.issuer = config.ISSUER;
    this.endpoint = `${config.ISSUER.replace(/\/+$/, '')}/introspect`;
    this.callerCacheTtlMs = config.INTROSPECTION_CALLER_CACHE_TTL * 1000;
    this.readThroughTimeoutMs = config.INTROSPECTION_READ_THROUGH_TIMEOUT_MS;
    this.checkedTokens = config.INTROSPECTION_CHECKED_TOKENS;
  }
}
