import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { secretKeyObject } from './secret-key-objects';

/** Access token, refresh token, authorization code, device code (RFC 8628). */
export type OpaqueTokenKind = 'at' | 'rt' | 'ac' | 'dc';

export interface OpaqueTokenParts {
  readonly kind: OpaqueTokenKind;
  /** The record the token points at (a grant id): lets the server find it with one keyed read. */
  readonly handle: string;
}

const RANDOM_BYTES = 32;
const MAC_BYTES = 16;
const HANDLE = /^[A-Za-z0-9-]{1,64}$/;
// kind "_" handle "." 43 chars of randomness, 22 chars of MAC
const PATTERN = /^(at|rt|ac|dc)_([A-Za-z0-9-]{1,64})\.([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{22})$/;
const MAX_LENGTH = 2 + 1 + 64 + 1 + 43 + 22;

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', secretKeyObject(key)).update(body).digest().subarray(0, MAC_BYTES);
}

/**
 * Opaque tokens: a kind prefix (for secret scanners and humans), the handle
 * of the grant they belong to, 256 random bits, and a truncated MAC over all
 * of it. The MAC lets any holder of the MAC key reject forged or random
 * strings without a lookup; the handle is not a secret (the random part is),
 * it only saves the server an index from token to grant.
 */
export function mintOpaqueToken(kind: OpaqueTokenKind, macKey: Buffer, handle: string): string {
  if (!HANDLE.test(handle)) throw new RangeError('token handle must be 1-64 chars of [A-Za-z0-9-]');
  const body = `${kind}_${handle}.${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return body + mac(macKey, body).toString('base64url');
}

/** The parts of a well-formed token with a valid MAC, else null. Constant-time MAC check. */
export function verifyOpaqueToken(token: string, macKey: Buffer): OpaqueTokenParts | null {
  if (token.length > MAX_LENGTH) return null;
  const m = PATTERN.exec(token);
  if (!m) return null;
  const [, kind, handle, , tag] = m as unknown as [string, OpaqueTokenKind, string, string, string];
  const expected = mac(macKey, token.slice(0, token.length - tag.length));
  const given = Buffer.from(tag, 'base64url');
  return given.length === MAC_BYTES && timingSafeEqual(given, expected) ? { kind, handle } : null;
}
