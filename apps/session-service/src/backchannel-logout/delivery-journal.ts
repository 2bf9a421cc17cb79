import {
  BackchannelLogoutAttemptFailed,
  BackchannelLogoutDeadLettered,
  BackchannelLogoutDelivered,
  BackchannelLogoutScheduled,
  type PendingEvent,
} from '@idp/contracts';
import { sessionStream } from '@idp/domain';
import type { EventStore } from '@idp/eventstore';
import type { Delivery } from './delivery';
import type { AttemptOutcome } from './dispatcher';

/**
 * Every delivery transition also goes to the event log, on the session's own
 * stream (`session-<sid>`), so a session's history shows who was told and
 * when. One append per session per batch: a 1,000-RP fan-out is a handful of
 * appends, not 1,000 serialised ones. Events correlate by the token's jti.
 */
export class DeliveryJournal {
  constructor(private readonly store: EventStore) {}

  scheduled(deliveries: readonly Delivery[], trigger: 'session_ended' | 'admin_retry') {
    return this.appendBySession(
      deliveries.map((d) => [
        d.sid,
        BackchannelLogoutScheduled.create(
          {
            sid: d.sid,
            clientId: d.clientId,
            jti: d.jti,
            uri: d.uri,
            ...(trigger === 'admin_retry' ? { trigger } : {}),
          },
          { correlationId: d.jti },
        ),
      ]),
    );
  }

  outcomes(outcomes: readonly AttemptOutcome[]) {
    return this.appendBySession(outcomes.map((o) => [o.delivery.sid, eventOf(o)]));
  }

  private async appendBySession(events: readonly [string, PendingEvent][]): Promise<void> {
    const bySession = new Map<string, PendingEvent[]>();
    for (const [sid, event] of events) {
      const list = bySession.get(sid) ?? [];
      list.push(event);
      bySession.set(sid, list);
    }
    // 'any': bookkeeping events never conflict with the session's decisions (it has ended).
    await Promise.all(
      [...bySession].map(([sid, list]) => this.store.append(sessionStream(sid), 'any', list)),
    );
  }
}

function eventOf({ delivery: d, transition: t }: AttemptOutcome): PendingEvent {
  const meta = { correlationId: d.jti };
  const key = { sid: d.sid, clientId: d.clientId, jti: d.jti };
  switch (t.kind) {
    case 'delivered':
      return BackchannelLogoutDelivered.create(
        { ...key, attempt: t.attempt, status: t.status },
        meta,
      );
    case 'retry':
      return BackchannelLogoutAttemptFailed.create(
        {
          ...key,
          attempt: t.attempt,
          error: t.error,
          nextAttemptAt: Math.ceil(t.nextAttemptAt / 1000),
        },
        meta,
      );
    case 'dead_lettered':
      return BackchannelLogoutDeadLettered.create(
        { ...key, attempts: t.attempt, lastError: t.error },
        meta,
      );
  }
}
