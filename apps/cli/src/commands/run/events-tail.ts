import { setTimeout } from 'node:timers/promises';
import { grantStream } from '@idp/domain';
import type { EventStore, StoredEvent } from '@idp/eventstore';
import type { RunContext } from '../../support/command';
import { println } from '../../support/io';
import { integerOption } from '../../support/parse';
import { cliConfig, describeStore, withEventStore } from '../../support/store';
import { printable } from './grants-show';

const BATCH = 500;

/** `--type grant.issued` matches that type; `--type grant.*` every grant event. */
export function eventFilter(type?: string, grant?: string): (e: StoredEvent) => boolean {
  const typeMatches =
    type === undefined
      ? () => true
      : type.endsWith('.*')
        ? (t: string) => t.startsWith(type.slice(0, -1))
        : (t: string) => t === type;
  const stream = grant === undefined ? undefined : grantStream(grant);
  return (e) => typeMatches(e.type) && (stream === undefined || e.stream === stream);
}

/**
 * Polls readAll after `from` until the signal aborts. Each read goes on from
 * the last position returned, which readAll guarantees no later commit can
 * fall below, so none is missed (positions themselves are not contiguous).
 */
async function follow(
  store: EventStore,
  from: string,
  keep: (e: StoredEvent) => boolean,
  print: (e: StoredEvent) => void,
  signal: AbortSignal,
  intervalMs: number,
): Promise<void> {
  let position = from;
  // At least one read: what is there when it starts is printed even if stopped at once.
  do {
    const batch = await store.readAll(position, BATCH);
    for (const e of batch) if (keep(e)) print(e);
    if (batch.length) position = batch[batch.length - 1]!.position;
    // An abort (Ctrl-C) ends the pause at once; the loop condition then stops.
    if (batch.length < BATCH) await setTimeout(intervalMs, undefined, { signal }).catch(() => {});
  } while (!signal.aborted);
}

export async function runTailEvents({ values, io, usageError }: RunContext): Promise<void> {
  const intervalMs = integerOption(values['interval-ms'], 'interval-ms', 500, usageError, 10);
  const embedded = values.embedded === true;
  const config = cliConfig(io.env, embedded);
  const keep = eventFilter(
    typeof values.type === 'string' ? values.type : undefined,
    typeof values.grant === 'string' ? values.grant : undefined,
  );
  await withEventStore(config, embedded, async (store) => {
    const from = values['from-start'] ? '0' : await store.lastPosition();
    println(
      io.stderr,
      `idp events tail: following ${describeStore(config, embedded)} after position ${from} (Ctrl-C stops)`,
    );
    await follow(
      store,
      from,
      keep,
      (e) => println(io.stdout, JSON.stringify(printable(e))),
      io.signal,
      intervalMs,
    );
  });
}
