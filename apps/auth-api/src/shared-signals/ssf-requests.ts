import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '@idp/oauth-errors';
import type { JsonObject } from '../registration/json-body';

/** The contract's limit of a stream id (ssf.rpc.ts): a longer one names no stream. */
const MAX_STREAM_ID = 200;

/**
 * Stream configuration members the transmitter sets (SSF 1.0 8.1.1): a
 * receiver may send them back in an update or replace (they are what it
 * read), and they are ignored there; `stream_id` names the stream.
 */
export const TRANSMITTER_SUPPLIED = [
  'iss',
  'aud',
  'events_supported',
  'events_delivered',
  'min_verification_interval',
  'inactivity_timeout',
] as const;

/**
 * The JSON object body of a Shared Signals request. The media type and size
 * were checked before it was read (`JsonBody`); here: there is one, and it
 * is an object. Then only the `allowed` members: a misspelt member
 * (`event_requested`) is refused rather than silently ignored; `ignored`
 * ones are dropped.
 */
export function ssfBody(
  request: Pick<FastifyRequest, 'body'>,
  allowed: readonly string[],
  ignored: readonly string[] = [],
): JsonObject {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequest('the request body must be a JSON object');
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(body as JsonObject)) {
    if (ignored.includes(name)) continue;
    if (!allowed.includes(name))
      throw new InvalidRequest(`unknown member ${truncated(name)} in the request body`);
    out[name] = value;
  }
  return out;
}

/** The body's `stream_id`: required, a non-empty string. */
export function streamIdOf(body: JsonObject): string {
  return checkStreamId(body['stream_id'], 'stream_id');
}

/**
 * The query's `stream_id` (GET and DELETE, SSF 1.0 8.1.1.2, 8.1.1.5,
 * 8.1.2.1): once at most. Repeated, it is refused rather than one of the
 * values picked.
 */
export function queryStreamId(request: Pick<FastifyRequest, 'query'>): string | undefined {
  const raw = (request.query as Record<string, unknown> | undefined)?.['stream_id'];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new InvalidRequest('stream_id must appear once in the query');
  return checkStreamId(raw, 'stream_id');
}

export function requireQueryStreamId(request: Pick<FastifyRequest, 'query'>): string {
  const id = queryStreamId(request);
  if (id === undefined) throw new InvalidRequest('stream_id is required in the query');
  return id;
}

function checkStreamId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidRequest(`${name} must be a non-empty string`);
  if (value.length > MAX_STREAM_ID) throw new InvalidRequest(`${name} is too long`);
  return value;
}

/** The part of a zod schema a check needs (auth-api does not depend on zod itself). */
interface RequestSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** RPC request member → the body member a receiver wrote (the rest have one name). */
const BODY_NAMES: Readonly<Record<string, string>> = { streamId: 'stream_id' };

/**
 * A request for the transmitter, checked against its RPC contract before it
 * is sent: what the contract refuses is the receiver's 400 invalid_request
 * naming the body member, never the client-side contract failure (a 500)
 * it would otherwise be. The transmitter then checks what only it can
 * (delivery URLs, subject formats, stream ownership).
 */
export function checkedRpcRequest<T>(schema: RequestSchema<T>, request: unknown): T {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String).filter((p) => p !== 'config');
  const field = path.map((p, i) => (i === 0 ? (BODY_NAMES[p] ?? p) : p)).join('.') || '(body)';
  throw new InvalidRequest(`${field}: ${issue?.message ?? 'invalid'}`);
}

function truncated(name: string): string {
  const plain = name.replace(/[^\x20-\x7e]|"|\\/g, '?');
  return plain.length > 40 ? `${plain.slice(0, 40)}...` : plain;
}
