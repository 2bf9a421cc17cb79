import { createSecretKey, type KeyObject } from 'node:crypto';

/** The KeyObject made for a key Buffer, with a copy of the bytes it was made from. */
interface Converted {
  readonly bytes: Buffer;
  readonly keyObject: KeyObject;
}

const converted = new WeakMap<Buffer, Converted>();

/**
 * The key as a KeyObject, made once per key Buffer. Node 24's `createHmac`
 * (and every other API that takes a secret key) first asks its native code
 * whether the key is a KeyObject, then whether it is a CryptoKey; for a
 * Buffer both answers are a TypeError constructed in C++ with its stack
 * captured and then swallowed, about 120,000 instructions per call, several
 * times the HMAC itself (ADR 0025). A KeyObject passes the first question.
 * Server keys live as long as the process, so each is converted once; the
 * copy of the bytes keeps a Buffer changed in place from using the old key.
 */
export function secretKeyObject(key: Buffer): KeyObject {
  const known = converted.get(key);
  if (known !== undefined && known.bytes.equals(key)) return known.keyObject;
  const fresh = { bytes: Buffer.from(key), keyObject: createSecretKey(key) };
  converted.set(key, fresh);
  return fresh.keyObject;
}
