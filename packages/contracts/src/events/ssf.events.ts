import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { id } from './common';

/**
 * Shared Signals stream (`ssf-stream-<id>`): one receiver's stream (SSF 1.0
 * section 8), owned by session-service (ADR 0035). The receiver is the client
 * that created it; every event names it so a reader never folds a stream to
 * learn whose it is.
 */

/** An event type URI (SSF event types are URIs; ours too, see SSF_EVENT_TYPES). */
const eventType = z.string().min(1).max(300);

/** Where SETs go: RFC 8935 push to an endpoint, or RFC 8936 poll by the receiver. */
const delivery = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('push'),
    endpointUrl: z.string().min(1).max(2000),
    /**
     * The receiver's Authorization header value, sealed (AES-256-GCM under a
     * key derived from KEY_ENCRYPTION_KEY, bound to the stream id): a secret
     * of the receiver, never stored, logged or returned in clear.
     */
    sealedAuthorization: z.string().max(8000).optional(),
  }),
  z.object({ method: z.literal('poll') }),
]);
export type SsfStreamDelivery = z.output<typeof delivery>;

/**
 * The subject identifier formats a receiver may ask for in a stream's
 * `format` (SSE Framework draft 01 7.1.1 named this member; SSF 1.0 dropped
 * it, and we keep it so a receiver can ask for the subject it can match):
 * - `complex`: always an SSF complex subject (`user`, `session`, `application` as the event has them);
 * - `iss_sub`: always RFC 9493 `iss_sub`: the user, or for a grant with no user the client (RFC 9068's
 *   `sub` of a client_credentials token);
 * - `opaque`: always RFC 9493 `opaque`: the session id where the event names one, else the user's
 *   `sub`, else the client id.
 * Without one, each event type has its own shape (docs/shared-signals.md). Verification and
 * stream-updated SETs name the stream as `opaque` whatever the format (SSF 1.0 8.1.4, 8.1.5).
 */
export const SSF_SUBJECT_FORMATS = ['complex', 'iss_sub', 'opaque'] as const;
export type SsfSubjectFormat = (typeof SSF_SUBJECT_FORMATS)[number];

const configuration = {
  streamId: id,
  clientId: id,
  eventsRequested: z.array(eventType).max(20),
  /** events_requested ∩ what we support: what the stream actually receives. */
  eventsDelivered: z.array(eventType).max(20),
  delivery,
  description: z.string().max(500).optional(),
  /** The subject identifier format the receiver asked for; absent (and in every older event): per event type. */
  subjectFormat: z.enum(SSF_SUBJECT_FORMATS).optional(),
};

export const SsfStreamCreated = defineEvent('ssf.stream_created', 1, z.object(configuration));

/** The whole configuration after a PATCH or PUT (replaces the previous one). */
export const SsfStreamUpdated = defineEvent('ssf.stream_updated', 1, z.object(configuration));

export const SsfStreamStatusChanged = defineEvent(
  'ssf.stream_status_changed',
  1,
  z.object({
    streamId: id,
    clientId: id,
    status: z.enum(['enabled', 'paused', 'disabled']),
    reason: z.string().max(500).optional(),
  }),
);

export const SsfStreamDeleted = defineEvent(
  'ssf.stream_deleted',
  1,
  z.object({ streamId: id, clientId: id }),
);

/**
 * A subject identifier (RFC 9493) the receiver added or removed (SSF 1.0
 * 8.1.3). `key` is its canonical form, the one the transmitter matches
 * events against.
 */
const subjectChange = z.object({
  streamId: id,
  clientId: id,
  key: z.string().min(1).max(1000),
  subject: z.record(z.string(), z.json()),
});

export const SsfSubjectAdded = defineEvent('ssf.subject_added', 1, subjectChange);
export const SsfSubjectRemoved = defineEvent('ssf.subject_removed', 1, subjectChange);

export const ssfEvents = [
  SsfStreamCreated,
  SsfStreamUpdated,
  SsfStreamStatusChanged,
  SsfStreamDeleted,
  SsfSubjectAdded,
  SsfSubjectRemoved,
] as const;

export type SsfEvent =
  | EventOf<typeof SsfStreamCreated>
  | EventOf<typeof SsfStreamUpdated>
  | EventOf<typeof SsfStreamStatusChanged>
  | EventOf<typeof SsfStreamDeleted>
  | EventOf<typeof SsfSubjectAdded>
  | EventOf<typeof SsfSubjectRemoved>;
