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

const configuration = {
  streamId: id,
  clientId: id,
  eventsRequested: z.array(eventType).max(20),
  /** events_requested ∩ what we support: what the stream actually receives. */
  eventsDelivered: z.array(eventType).max(20),
  delivery,
  description: z.string().max(500).optional(),
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
