import {
  BackchannelLogoutAttemptFailed,
  BackchannelLogoutDeadLettered,
  BackchannelLogoutDelivered,
  BackchannelLogoutScheduled,
  MAX_DELIVERIES_PER_EVENT,
  systemClock,
  uuidv7Ids,
  type Clock,
  type EventMetadata,
  type IdSource,
  type PendingEvent,
} from '@idp/contracts';
import { sessionStream } from '@idp/domain';
import type { EventStore } from '@idp/eventstore';
import type { Delivery, Transition } from './delivery';
import type { AttemptOutcome } from './dispatcher';

/**
 * Every delivery transition also goes to the event log, on the session's own
 * stream (`session-<sid>`), so a session's history shows who was told and
 * when. Scheduling and deliveries are recorded per batch (one event lists up
 * to MAX_DELIVERIES_PER_EVENT RPs), failures and dead letters one by one:
 * a 1,000-RP fan-out is a handful of events and appends, not 2,000 of each
 * for the outbox, Kafka and every consumer of session events to carry.
 */
export class DeliveryJournal {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock = systemClock,
    private readonly ids: IdSource = uuidv7Ids(clock),
  ) {}

  /** The envelope meta of one journal event: the process's clock and id source (ADR 0020). */
  private meta(correlationId: string, causationId?: string): EventMetadata {
    const occurredAt = new Date(this.clock.nowMs()).toISOString();
    return {
      id: this.ids.next(),
      occurredAt,
      correlationId,
      ...(causationId === undefined ? {} : { causationId }),
    };
  }

  /**
   * `cause`: the event the deliveries follow from (session.ended): the
   * scheduling carries its correlation id and names it as its cause, so a
   * logout's chain (ADR 0038's reuse chain too) reaches the deliveries.
   * Without one, the session's id correlates them.
   */
  scheduled(
    deliveries: readonly Delivery[],
    trigger: 'session_ended' | 'admin_retry',
    cause?: { readonly id: string; readonly correlationId: string },
  ) {
    const events: [string, PendingEvent][] = [];
    for (const [sid, list] of bySession(deliveries, (d) => d.sid)) {
      for (const chunk of chunks(list)) {
        events.push([
          sid,
          BackchannelLogoutScheduled.create(
            {
              sid,
              deliveries: chunk.map((d) => ({ clientId: d.clientId, jti: d.jti, uri: d.uri })),
              ...(trigger === 'admin_retry' ? { trigger } : {}),
            },
            cause === undefined ? this.meta(sid) : this.meta(cause.correlationId, cause.id),
          ),
        ]);
      }
    }
    return this.append(events);
  }

  outcomes(outcomes: readonly AttemptOutcome[]) {
    const events: [string, PendingEvent][] = [];
    const delivered: { delivery: Delivery; attempt: number; status: number }[] = [];
    for (const { delivery, transition: t } of outcomes) {
      if (t.kind === 'delivered')
        delivered.push({ delivery, attempt: t.attempt, status: t.status });
      else events.push([delivery.sid, failureEvent(delivery, t, this.meta(delivery.jti))]);
    }
    for (const [sid, list] of bySession(delivered, (o) => o.delivery.sid)) {
      for (const chunk of chunks(list)) {
        events.push([
          sid,
          BackchannelLogoutDelivered.create(
            {
              sid,
              deliveries: chunk.map(({ delivery: d, attempt, status }) => ({
                clientId: d.clientId,
                jti: d.jti,
                attempt,
                status,
              })),
            },
            this.meta(sid),
          ),
        ]);
      }
    }
    return this.append(events);
  }

  private async append(events: readonly [string, PendingEvent][]): Promise<void> {
    const grouped = bySession(events, ([sid]) => sid);
    // 'any': bookkeeping events never conflict with the session's decisions (it has ended).
    await Promise.all(
      [...grouped].map(([sid, list]) =>
        this.store.append(
          sessionStream(sid),
          'any',
          list.map(([, e]) => e),
        ),
      ),
    );
  }
}

function bySession<T>(items: readonly T[], sidOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const sid = sidOf(item);
    const list = out.get(sid);
    if (list) list.push(item);
    else out.set(sid, [item]);
  }
  return out;
}

function* chunks<T>(list: readonly T[]): Generator<T[]> {
  for (let i = 0; i < list.length; i += MAX_DELIVERIES_PER_EVENT)
    yield list.slice(i, i + MAX_DELIVERIES_PER_EVENT);
}

/** A failed attempt or a dead letter: rare, recorded one by one with the error. */
function failureEvent(
  d: Delivery,
  t: Exclude<Transition, { kind: 'delivered' }>,
  meta: EventMetadata,
): PendingEvent {
  const key = { sid: d.sid, clientId: d.clientId, jti: d.jti };
  if (t.kind === 'retry') {
    return BackchannelLogoutAttemptFailed.create(
      {
        ...key,
        attempt: t.attempt,
        error: t.error,
        nextAttemptAt: Math.ceil(t.nextAttemptAt / 1000),
      },
      meta,
    );
  }
  return BackchannelLogoutDeadLettered.create(
    { ...key, attempts: t.attempt, lastError: t.error },
    meta,
  );
}
