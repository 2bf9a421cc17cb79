import { randomUUID } from '@idp/crypto';
import {
  TemporarilyUnavailable,
  type OAuthError,
  type OAuthErrorCode,
  type WireOAuthError,
} from '@idp/oauth-errors';
import { z } from 'zod';

/** Largest request or response body, both adapters: a token response is a few KB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 5_000;
export const CORRELATION_METADATA = 'x-correlation-id';
/** `-bin` so gRPC carries the wire error as raw bytes in the trailers. */
export const ERROR_METADATA = 'x-oauth-error-bin';

/**
 * Our own code broke the contract on the calling side (a request the schema
 * forbids, a body too large to send). Deliberately not an OAuthError: it is
 * a bug, and at the HTTP edge it renders as server_error.
 */
export class RpcContractError extends Error {
  override readonly name = 'RpcContractError';
}

/** Transport failures (peer down, deadline passed, client closed) are all retryable 503s. */
export function unavailable(description: string): OAuthError {
  return new TemporarilyUnavailable(description);
}

/** JSON text of a body, or an error naming why it cannot be sent. */
export function encodeBody(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('body is not JSON-serializable');
  if (Buffer.byteLength(text, 'utf8') > MAX_MESSAGE_BYTES) {
    throw new RangeError(`body exceeds ${MAX_MESSAGE_BYTES} bytes`);
  }
  return text;
}

export type Checked<T> = { ok: true; data: T } | { ok: false; problem: string };

/**
 * Parses with the schema (async: contracts may use async refinements) and
 * turns issues into one short line: paths and zod's messages, never values.
 */
export async function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
): Promise<Checked<z.output<S>>> {
  const result = await schema.safeParseAsync(value);
  if (result.success) return { ok: true, data: result.data };
  const problem = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem };
}

/** Accepts an id that is safe in gRPC metadata and in logs; otherwise mints one. */
export function correlationIdOr(candidate: unknown): string {
  return typeof candidate === 'string' && /^[\x21-\x7e]{1,128}$/.test(candidate)
    ? candidate
    : randomUUID();
}

/** What a peer may send as an error; anything else becomes server_error. */
const wireErrorSchema = z.object({
  // RFC 6749 5.2: the error code's character set.
  error: z.string().regex(/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/),
  // Parsed from JSON text, which has no undefined: absent keys only.
  error_description: z.string().max(1024).exactOptional(),
  status: z.number().int().min(400).max(599),
  headers: z.record(z.string(), z.string()).exactOptional(),
});

export function parseWireError(text: string): WireOAuthError | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = wireErrorSchema.safeParse(raw);
  // The code set is a closed union at compile time only; a newer peer may know more codes.
  return parsed.success
    ? { ...parsed.data, error: parsed.data.error as OAuthErrorCode }
    : undefined;
}
