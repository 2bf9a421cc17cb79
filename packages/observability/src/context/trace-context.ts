import { fillRandom } from '@idp/crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), parsed strictly:
 * only version 00, lowercase hex, a non-zero trace id and parent id, and
 * nothing after the flags. Anything else is treated as absent and a new
 * trace starts, so a caller cannot plant arbitrary text in our headers or logs.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

export interface Traceparent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

export function parseTraceparent(value: unknown): Traceparent | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  return { traceId, parentId, flags };
}

export function formatTraceparent(t: Traceparent): string {
  return `00-${t.traceId}-${t.parentId}-${t.flags}`;
}

// Random bytes drawn in bulk and used 24 at a time, as randomUUID does: this
// runs once per request that comes without a traceparent (the hot path).
const POOL_IDS = 256;
const pool = Buffer.alloc(24 * POOL_IDS);
let next = POOL_IDS;

/** A new trace: random ids (never all zero), not sampled (no tracer records it yet). */
export function newTraceparent(): string {
  let traceId: string;
  let parentId: string;
  do {
    if (next === POOL_IDS) {
      fillRandom(pool);
      next = 0;
    }
    const at = 24 * next++;
    traceId = pool.toString('hex', at, at + 16);
    parentId = pool.toString('hex', at + 16, at + 24);
  } while (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID);
  return `00-${traceId}-${parentId}-00`;
}

/**
 * `tracestate` is opaque vendor data; it is kept only next to a valid
 * traceparent, and only if it has the spec's shape (at most 32 list members
 * of key=value in printable ASCII, 512 characters in all).
 */
const TRACESTATE_MEMBER =
  /^(?:[a-z0-9][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

export function validTracestate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return undefined;
  const members = value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (members.length === 0 || members.length > 32) return undefined;
  return members.every((m) => TRACESTATE_MEMBER.test(m)) ? members.join(',') : undefined;
}
