import { randomUUID } from '@idp/crypto';

/**
 * An incoming `X-Request-Id` is echoed in our responses and written to every
 * log line, so only a short run of characters that are safe in a header, a
 * JSON string and a terminal is accepted: letters, digits and `._~:@/+=-`,
 * 1 to 128 of them. Anything else is replaced by a fresh UUID, never echoed.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:@/+=-]{1,128}$/;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value);
}

/** The candidate when it is valid, a new UUID otherwise. */
export function requestIdOr(candidate: unknown): string {
  return isValidRequestId(candidate) ? candidate : randomUUID();
}
