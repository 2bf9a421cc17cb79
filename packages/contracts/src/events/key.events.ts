import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { epochSeconds, id } from './common';

export const signingAlg = z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']);

/**
 * Key stream (`key-<kid>`). The private key travels only encrypted under the
 * key-encryption key (a compact JWE); consumers other than token-service
 * read only the public JWK.
 */
export const SigningKeyGenerated = defineEvent(
  'key.generated',
  1,
  z.object({
    kid: id,
    alg: signingAlg,
    publicJwk: z.record(z.string(), z.unknown()),
    encryptedPrivateJwk: z.string().min(1),
    createdAt: epochSeconds,
  }),
);

export const SigningKeyActivated = defineEvent(
  'key.activated',
  1,
  z.object({ kid: id, alg: signingAlg, activatedAt: epochSeconds }),
);

/** No new tokens with it; it stays in the JWKS until `publishUntil`. */
export const SigningKeyRetired = defineEvent(
  'key.retired',
  1,
  z.object({ kid: id, retiredAt: epochSeconds, publishUntil: epochSeconds }),
);

export const keyEvents = [SigningKeyGenerated, SigningKeyActivated, SigningKeyRetired] as const;

export type KeyEvent =
  | EventOf<typeof SigningKeyGenerated>
  | EventOf<typeof SigningKeyActivated>
  | EventOf<typeof SigningKeyRetired>;
