import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { constantTimeEqualBytes, decodeSecret, deriveKey, hmacSha256 } from '@idp/crypto';

/**
 * The JWE protected-header parameter that lets /userinfo find an encrypted
 * access token's grant without decrypting it (we cannot: it is encrypted to
 * the resource server's key). Not listed in `crit`, so resource servers
 * ignore it (RFC 7516 4: unknown parameters are ignored unless critical).
 * See docs/adr/0007 for the privacy trade-off.
 */
export const USERINFO_HANDLE_HEADER = 'userinfo_handle';

const MAC_BYTES = 16;
const HANDLE = /^([A-Za-z0-9._-]{1,200})\.([A-Za-z0-9_-]{22})$/;

/**
 * `<jti>.<MAC(jti)>`. The MAC is what makes the header trustworthy: the OP
 * cannot check a JWE's authentication tag (only the key holder can), so
 * anyone could write any header; a bare jti (which the resource server sees
 * and may log) would let whoever learnt it read the user's claims. With the
 * MAC only a handle we minted, i.e. only a holder of the token, gets in.
 */
@Injectable()
export class UserinfoHandles {
  private readonly key: Buffer;

  constructor(@Inject(CONFIG) config: Config) {
    if (!config.TOKEN_HASH_KEY) throw new Error('TOKEN_HASH_KEY is required by token-service');
    // Its own derived key: a handle can never verify as an opaque token's MAC, nor the reverse.
    this.key = deriveKey(decodeSecret(config.TOKEN_HASH_KEY), 'jwe-userinfo-handle');
  }

  mint(jti: string): string {
    return `${jti}.${this.mac(jti).toString('base64url')}`;
  }

  /** The jti a handle vouches for, or undefined for anything we did not mint. */
  jtiOf(handle: unknown): string | undefined {
    if (typeof handle !== 'string') return undefined;
    const m = HANDLE.exec(handle);
    if (!m) return undefined;
    const [, jti, tag] = m as unknown as [string, string, string];
    const given = Buffer.from(tag, 'base64url');
    return given.length === MAC_BYTES && constantTimeEqualBytes(given, this.mac(jti))
      ? jti
      : undefined;
  }

  private mac(jti: string): Buffer {
    return hmacSha256(this.key, jti).subarray(0, MAC_BYTES);
  }
}
