import {
  SSF_DELIVERY_POLL,
  SSF_DELIVERY_PUSH,
  SSF_REQUESTABLE_EVENTS,
  type SsfDeliveryView,
  type SsfStreamConfigView,
} from '@idp/contracts';
import type { LiveSsfStream } from '@idp/domain';
import type { SetDelivery } from './set-delivery';
import type { StreamRow } from './ssf-store.port';

/** Where a poll receiver fetches its SETs (RFC 8936), served by auth-api. */
export function pollEndpoint(issuer: string, streamId: string): string {
  return `${issuer.replace(/\/$/, '')}/ssf/poll/${encodeURIComponent(streamId)}`;
}

/**
 * A stream's configuration as its receiver reads it (SSF 1.0 8.1.1): the
 * spec's member names, never the authorization header.
 * `minVerificationInterval` (seconds, SSF_MIN_VERIFICATION_INTERVAL_S): 0 is no limit, left out.
 */
export function streamConfigView(
  state: LiveSsfStream,
  issuer: string,
  minVerificationInterval = 0,
): SsfStreamConfigView {
  return {
    stream_id: state.streamId,
    iss: issuer,
    aud: state.clientId,
    events_supported: [...SSF_REQUESTABLE_EVENTS],
    events_requested: [...state.eventsRequested],
    events_delivered: [...state.eventsDelivered],
    delivery:
      state.delivery.method === 'push'
        ? { method: SSF_DELIVERY_PUSH, endpoint_url: state.delivery.endpointUrl }
        : { method: SSF_DELIVERY_POLL, endpoint_url: pollEndpoint(issuer, state.streamId) },
    ...(state.description === undefined ? {} : { description: state.description }),
    ...(state.subjectFormat === undefined ? {} : { format: state.subjectFormat }),
    ...(minVerificationInterval > 0 ? { min_verification_interval: minVerificationInterval } : {}),
  };
}

/** The working-copy row of a live or deleted stream, folded from `version` events. */
export function streamRowOf(
  state: LiveSsfStream | { readonly status: 'deleted'; streamId: string; clientId: string },
  version: number,
): StreamRow {
  if (state.status === 'deleted')
    return {
      streamId: state.streamId,
      clientId: state.clientId,
      status: 'deleted',
      method: 'poll',
      eventsDelivered: [],
      excluded: [],
      version,
    };
  const push = state.delivery.method === 'push' ? state.delivery : undefined;
  return {
    streamId: state.streamId,
    clientId: state.clientId,
    status: state.streamStatus,
    method: state.delivery.method,
    ...(push ? { endpointUrl: push.endpointUrl } : {}),
    ...(push?.sealedAuthorization ? { sealedAuthorization: push.sealedAuthorization } : {}),
    eventsDelivered: state.eventsDelivered,
    ...(state.subjectFormat === undefined ? {} : { subjectFormat: state.subjectFormat }),
    excluded: state.excluded,
    version,
  };
}

/** A delivery as operators see it: never the SET or its claims. */
export function deliveryView(d: SetDelivery): SsfDeliveryView {
  return {
    streamId: d.streamId,
    jti: d.jti,
    clientId: d.clientId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastError: d.lastError,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
