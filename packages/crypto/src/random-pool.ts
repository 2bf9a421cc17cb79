import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Bytes from the CSPRNG, drawn from a pool refilled 4 KiB at a time: one
 * call into OpenSSL per few hundred ids instead of one per id (crypto.randomUUID
 * pools the same way). Every byte is handed out once, and a refill fills a
 * new buffer, so a returned view is never overwritten. Large requests skip it.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('size must be an integer >= 0');
  if (size > POOL_SIZE / 8) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_SIZE));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}
