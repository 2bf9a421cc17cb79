import { decodeSecret, deriveKey } from './keyed-hash';

/**
 * The sub-keys of TOKEN_HASH_KEY, one per purpose. token-service mints and
 * stores with them; introspection-service checks MACs and looks tokens up
 * with the same ones, so both must derive them here and nowhere else.
 */
export interface TokenKeys {
  /** MACs opaque tokens (`mintOpaqueToken` / `verifyOpaqueToken`). */
  readonly macKey: Buffer;
  /** Keyed hash under which tokens and codes are stored and looked up. */
  readonly tokenHashKey: Buffer;
  /** Keyed hash of client secrets. */
  readonly clientSecretKey: Buffer;
}

/** `secret` is TOKEN_HASH_KEY as configured (32 bytes, base64url). */
export function deriveTokenKeys(secret: string): TokenKeys {
  const raw = decodeSecret(secret);
  return {
    macKey: deriveKey(raw, 'token-mac'),
    tokenHashKey: deriveKey(raw, 'token-hash'),
    clientSecretKey: deriveKey(raw, 'client-secret'),
  };
}
