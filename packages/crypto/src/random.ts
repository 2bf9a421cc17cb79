import {
  randomBytes as nodeRandomBytes,
  randomFillSync,
  randomUUID as nodeRandomUUID,
} from 'node:crypto';

/**
 * Randomness from the OS CSPRNG. Every workspace draws ids, nonces, salts and
 * secrets here, so node:crypto is imported in @idp/crypto only.
 */
export function randomBytes(size: number): Buffer {
  return nodeRandomBytes(size);
}

/** `size` random bytes as base64url: ids, nonces, salts and generated secrets. */
export function randomBase64url(size: number): string {
  return nodeRandomBytes(size).toString('base64url');
}

/** A random (version 4) UUID. */
export function randomUUID(): string {
  return nodeRandomUUID();
}

/** Overwrites `buffer` with random bytes (for pools refilled in bulk); returns it. */
export function fillRandom<T extends NodeJS.ArrayBufferView>(buffer: T): T {
  return randomFillSync(buffer);
}
