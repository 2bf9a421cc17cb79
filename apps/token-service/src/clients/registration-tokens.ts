import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  constantTimeEqual,
  decodeSecret,
  deriveKey,
  keyedHash,
  randomBase64url,
} from '@idp/crypto';

/** Recognisable in logs and secret scanners, never parsed. */
const PREFIX = 'rat_';

/**
 * RFC 7592 registration access tokens: 256 random bits, shown to the client
 * once (RFC 7592 3) and stored only as a keyed hash under their own HKDF
 * sub-key of TOKEN_HASH_KEY, so a stored hash is useless elsewhere (at
 * /token, /userinfo...) and cannot be checked offline.
 */
@Injectable()
export class RegistrationTokens {
  private readonly key: Buffer;

  constructor(@Inject(CONFIG) config: Config) {
    if (!config.TOKEN_HASH_KEY) throw new Error('TOKEN_HASH_KEY is required by token-service');
    this.key = deriveKey(decodeSecret(config.TOKEN_HASH_KEY), 'registration-access-token');
  }

  issue(): { token: string; hash: string } {
    const token = `${PREFIX}${randomBase64url(32)}`;
    return { token, hash: this.hash(token) };
  }

  /** Constant-time over the hashes: the comparison reveals nothing about the stored value. */
  matches(token: string, storedHash: string | undefined): boolean {
    // Hash anyway when nothing is stored, so an admin client answers as fast as a wrong token.
    const presented = this.hash(token);
    return storedHash !== undefined && constantTimeEqual(presented, storedHash);
  }

  private hash(token: string): string {
    return keyedHash(this.key, token);
  }
}
