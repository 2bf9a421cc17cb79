import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor, PendingEvent } from '@idp/contracts';
import type { EventStore } from '@idp/eventstore';

/**
 * The caller of the admin call being served (ADR 0017). The RPC handlers of
 * admin commands run inside it, and every event appended meanwhile, through
 * the command runner or straight to the store, names it: the command path
 * needs no parameter threaded through every service method.
 */
const callers = new AsyncLocalStorage<Actor>();

/** Runs `work` as `actor` (as it is when there is none: a call that is not an admin call). */
export function runAsActor<T>(actor: Actor | undefined, work: () => Promise<T>): Promise<T> {
  return actor === undefined ? work() : callers.run(actor, work);
}

/**
 * Runs `work` with no actor: for work an admin call only sets going (waking
 * the outbox relay or a delivery loop), whose later events are not the caller's.
 */
export function outsideActor<T>(work: () => T): T {
  return callers.exit(work);
}

export function currentActor(): Actor | undefined {
  return callers.getStore();
}

/** RPC handlers whose requests may name an actor, each run as that actor. */
export function actingAs<H extends object>(handlers: H): H {
  const out: Record<string, unknown> = {};
  for (const [name, handle] of Object.entries(handlers) as [
    string,
    (request: { actor?: Actor }, ...rest: unknown[]) => Promise<unknown>,
  ][]) {
    out[name] = (request: { actor?: Actor }, ...rest: unknown[]) =>
      runAsActor(request?.actor, () => handle(request, ...rest));
  }
  return out as H;
}

const stamp = (events: readonly PendingEvent[], actor: Actor): PendingEvent[] =>
  events.map((e) => ({ ...e, actor }));

/** The event store, with the current actor written on every event appended through it. */
export function stampingActors(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (...[stream, expected, events]: Parameters<EventStore['append']>) => {
          const actor = callers.getStore();
          return target.append(stream, expected, actor ? stamp(events, actor) : events);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
