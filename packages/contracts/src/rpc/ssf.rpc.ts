import { z } from 'zod';
import { actorSchema } from '../actor';
import { SSF_SUBJECT_FORMATS } from '../events/ssf.events';
import { deliveryProgressView } from './delivery-progress';

/**
 * The OpenID Shared Signals Framework 1.0 transmitter: auth-api's public
 * stream-management API (and its admin API) → session-service, which owns
 * the streams and delivers the SETs. Field names in `ssfStreamConfig` are
 * the spec's (snake_case), so auth-api returns them as they are.
 */

/** RFC 8935 push delivery and RFC 8936 poll delivery: the method URIs SSF 1.0 names. */
export const SSF_DELIVERY_PUSH = 'urn:ietf:rfc:8935';
export const SSF_DELIVERY_POLL = 'urn:ietf:rfc:8936';

/** The scopes that open the stream-management API: read-write, and read-only (GET). */
export const SSF_MANAGE_SCOPE = 'ssf:manage';
export const SSF_READ_SCOPE = 'ssf:read';

/** Event type URIs the transmitter can send (SSF 1.0, CAEP 1.0, and ours). */
export const SSF_EVENT_TYPES = {
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  streamUpdated: 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  tokenClaimsChange: 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
  credentialChange: 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  /**
   * No CAEP or RISC event names one revoked access or refresh token (CAEP's
   * session-revoked is about a session, RISC's sessions-revoked about every
   * session of an account), so this one is ours, in a namespace we own.
   * The receiver-facing meaning is in docs/shared-signals.md.
   */
  tokenRevoked: 'urn:idp:secevent:event-type:token-revoked',
} as const;

/** What a receiver may ask for in `events_requested` (verification and stream-updated are always sent). */
export const SSF_REQUESTABLE_EVENTS: readonly string[] = [
  SSF_EVENT_TYPES.sessionRevoked,
  SSF_EVENT_TYPES.tokenClaimsChange,
  SSF_EVENT_TYPES.credentialChange,
  SSF_EVENT_TYPES.tokenRevoked,
];

export const ssfStreamStatus = z.enum(['enabled', 'paused', 'disabled']);
export type SsfStreamStatus = z.output<typeof ssfStreamStatus>;

/** RFC 9493 subject identifier (or an SSF complex subject): a JSON object with a `format`. */
export const ssfSubject = z
  .record(z.string().max(100), z.json())
  .refine((s) => typeof s['format'] === 'string', 'a subject needs a "format"');

/** The delivery member of a stream configuration (SSF 1.0 8.1.1). */
export const ssfDelivery = z.discriminatedUnion('method', [
  z.object({
    method: z.literal(SSF_DELIVERY_PUSH),
    endpoint_url: z.string().url().max(2000),
    /** Sent as the Authorization header of every push; stored sealed, never returned. */
    authorization_header: z.string().max(4000).optional(),
  }),
  z.object({
    method: z.literal(SSF_DELIVERY_POLL),
    /** Set by the transmitter: where this stream's receiver polls. */
    endpoint_url: z.string().url().max(2000).optional(),
  }),
]);

/** A stream's configuration as the receiver reads it (SSF 1.0 8.1.1). */
export const ssfStreamConfig = z.object({
  stream_id: z.string(),
  iss: z.string(),
  /** The receiver: the client id that created the stream. */
  aud: z.string(),
  events_supported: z.array(z.string()),
  events_requested: z.array(z.string()),
  events_delivered: z.array(z.string()),
  delivery: z.object({ method: z.string(), endpoint_url: z.string().optional() }),
  description: z.string().optional(),
  /** The subject identifier format the receiver asked for (SSF_SUBJECT_FORMATS); absent: per event. */
  format: z.enum(SSF_SUBJECT_FORMATS).optional(),
  min_verification_interval: z.number().int().optional(),
});
export type SsfStreamConfigView = z.output<typeof ssfStreamConfig>;

/** What a receiver may write in a stream configuration (create, replace, update). */
export const ssfStreamInput = z.object({
  events_requested: z.array(z.string().max(300)).max(20).optional(),
  delivery: ssfDelivery.optional(),
  description: z.string().max(500).optional(),
  format: z.enum(SSF_SUBJECT_FORMATS).optional(),
});

const caller = z.object({
  /** The receiver, from the access token that authorized the call. */
  clientId: z.string().min(1).max(200),
});
const streamRef = caller.extend({ streamId: z.string().min(1).max(200) });

/** One SET delivery to one stream, as operators see it (never the SET itself). */
export const ssfDeliveryView = z
  .object({
    streamId: z.string(),
    /** The SET's jti. */
    jti: z.string(),
    /** The receiver (client id). */
    clientId: z.string(),
    eventType: z.string(),
  })
  .extend(deliveryProgressView.shape);
export type SsfDeliveryView = z.output<typeof ssfDeliveryView>;

/**
 * Every method answers the SSF errors as OAuthError-shaped RPC errors: a
 * stream of another receiver is `not_found` (404), never `forbidden`, so a
 * receiver cannot probe other receivers' stream ids.
 */
export const ssfRpcMethods = {
  /** POST /ssf/stream (SSF 1.0 8.1.1.1). A push endpoint goes through the outbound policy. */
  createStream: {
    request: caller.extend({ config: ssfStreamInput, actor: actorSchema.optional() }),
    response: ssfStreamConfig,
  },
  /** GET /ssf/stream: one stream (streamId) or every stream of the receiver. */
  readStreams: {
    request: caller.extend({ streamId: z.string().min(1).max(200).optional() }),
    response: z.object({ streams: z.array(ssfStreamConfig) }),
  },
  /** PATCH (replace false) and PUT (replace true) /ssf/stream. */
  updateStream: {
    request: streamRef.extend({
      config: ssfStreamInput,
      replace: z.boolean(),
      actor: actorSchema.optional(),
    }),
    response: ssfStreamConfig,
  },
  /** DELETE /ssf/stream: its undelivered SETs are dropped. */
  deleteStream: {
    request: streamRef.extend({ actor: actorSchema.optional() }),
    response: z.object({}),
  },
  /** GET /ssf/status. */
  readStatus: {
    request: streamRef,
    response: z.object({
      stream_id: z.string(),
      status: ssfStreamStatus,
      reason: z.string().optional(),
    }),
  },
  /**
   * POST /ssf/status. Paused: SETs are held and delivered once enabled again;
   * disabled: SETs are not kept.
   */
  updateStatus: {
    request: streamRef.extend({
      status: ssfStreamStatus,
      reason: z.string().max(500).optional(),
      actor: actorSchema.optional(),
    }),
    response: z.object({
      stream_id: z.string(),
      status: ssfStreamStatus,
      reason: z.string().optional(),
    }),
  },
  /** POST /ssf/subjects/add and /ssf/subjects/remove (SSF 1.0 8.1.3: the spec leaves the paths to the transmitter). */
  addSubject: {
    request: streamRef.extend({ subject: ssfSubject, verified: z.boolean().optional() }),
    response: z.object({}),
  },
  removeSubject: {
    request: streamRef.extend({ subject: ssfSubject }),
    response: z.object({}),
  },
  /** POST /ssf/verify (SSF 1.0 8.1.4): a verification SET carrying `state` is queued. */
  requestVerification: {
    request: streamRef.extend({ state: z.string().max(500).optional() }),
    response: z.object({}),
  },
  /**
   * RFC 8936 poll for a poll stream: acknowledges `ack`, records `setErrs`,
   * and returns up to `maxEvents` pending SETs (jti → compact SET).
   */
  poll: {
    request: streamRef.extend({
      ack: z.array(z.string().max(200)).max(1000).default([]),
      setErrs: z
        .record(
          z.string().max(200),
          z.object({ err: z.string().max(100), description: z.string().max(500).optional() }),
        )
        .default({}),
      maxEvents: z.number().int().min(0).max(1000).optional(),
      returnImmediately: z.boolean().default(true),
      /**
       * With returnImmediately false: how long an empty answer may be held
       * (the edge's SSF_POLL_WAIT_MS; its call deadline is longer).
       */
      waitMs: z.number().int().min(0).max(30_000).optional(),
    }),
    response: z.object({ sets: z.record(z.string(), z.string()), moreAvailable: z.boolean() }),
  },
  /** Admin API: dead-lettered SET deliveries, keyset-paged by (streamId, jti). */
  listDeadLetters: {
    request: z.object({
      limit: z.number().int().min(1).max(500).default(100),
      after: z.object({ streamId: z.string().max(200), jti: z.string().max(200) }).optional(),
    }),
    response: z.object({ deliveries: z.array(ssfDeliveryView) }),
  },
  /** Admin API: a dead letter back in the queue (same jti); 404 / 409 as back-channel's. */
  retryDeadLetter: {
    request: z.object({
      streamId: z.string().min(1).max(200),
      jti: z.string().min(1).max(200),
      actor: actorSchema.optional(),
    }),
    response: z.object({ delivery: ssfDeliveryView }),
  },
};
export type SsfRpcMethods = typeof ssfRpcMethods;
