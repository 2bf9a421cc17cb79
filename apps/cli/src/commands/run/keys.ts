import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { KeyEvent } from '@idp/contracts';
import { SIGNING_ALGS, type SigningAlg } from '@idp/crypto';
import { KEY_RING_STREAM } from '@idp/domain';
import { distributedAdapters, HealthModule, InfraModule } from '@idp/nest-kit';
import { KeyRingService, KeysModule } from '@idp/token-service';
import type { RunContext } from '../../support/command';
import { println } from '../../support/io';
import { integerOption } from '../../support/parse';
import { cliConfig, withEventStore } from '../../support/store';
import { formatAge, renderTable } from '../../support/table';

/** What token-service's own rotation does, through its KeyRingService, over the distributed adapters. */
export async function runRotateKey(ctx: RunContext): Promise<void> {
  const { values, positionals, io, usageError } = ctx;
  const alg = positionals[0] as SigningAlg;
  if (!(SIGNING_ALGS as readonly string[]).includes(alg))
    throw usageError(`unknown algorithm '${alg}' (one of ${SIGNING_ALGS.join(', ')})`);
  const graceSeconds = integerOption(values['grace-seconds'], 'grace-seconds', 86_400, usageError);
  const config = cliConfig(io.env, false);
  const bindings = await distributedAdapters(config, 'cli', { eventStore: true, cache: false });
  @Module({ imports: [InfraModule.forRoot(bindings), HealthModule, KeysModule] })
  class RotateModule {}
  const app = await NestFactory.createApplicationContext(RotateModule, {
    logger: ['error', 'warn'],
  });
  try {
    const kid = await app.get(KeyRingService).rotate(alg, graceSeconds);
    println(io.stdout, `rotated ${alg}: new key ${kid} is active (committed to the event store)`);
    // Publish now if the broker is there; otherwise a running token-service's relay will.
    bindings.relay?.start();
    try {
      await bindings.relay?.flush(5_000);
    } catch {
      println(
        io.stdout,
        'the broker is not reachable: the outbox relay of a running token-service will publish the events',
      );
    }
  } finally {
    await app.close();
  }
}

export interface KeyRow {
  readonly kid: string;
  readonly alg: string;
  readonly state: 'generated' | 'active' | 'retired' | 'expired';
  readonly createdAt: number;
  readonly publishUntil?: number;
}

/** The ring as rows: `expired` is a retired key no longer published (past its grace period). */
export function keyRows(events: readonly KeyEvent[], nowSeconds: number): KeyRow[] {
  const rows = new Map<string, KeyRow>();
  for (const e of events) {
    if (e.type === 'key.generated')
      rows.set(e.data.kid, {
        kid: e.data.kid,
        alg: e.data.alg,
        state: 'generated',
        createdAt: e.data.createdAt,
      });
    const row = rows.get(e.data.kid);
    if (!row) continue;
    if (e.type === 'key.activated') rows.set(row.kid, { ...row, state: 'active' });
    if (e.type === 'key.retired')
      rows.set(row.kid, {
        ...row,
        state: e.data.publishUntil > nowSeconds ? 'retired' : 'expired',
        publishUntil: e.data.publishUntil,
      });
  }
  return [...rows.values()];
}

export async function runListKeys({ values, io }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  const config = cliConfig(io.env, embedded);
  const events = await withEventStore(config, embedded, (store) =>
    store.readStream(KEY_RING_STREAM),
  );
  const now = Math.floor(io.now() / 1000);
  const rows = keyRows(events as unknown as KeyEvent[], now);
  if (values.json) {
    println(io.stdout, JSON.stringify(rows.map((r) => ({ ...r, ageSeconds: now - r.createdAt }))));
    return;
  }
  const until = (r: KeyRow) =>
    r.publishUntil === undefined ? '' : new Date(r.publishUntil * 1000).toISOString();
  io.stdout.write(
    renderTable(
      ['KID', 'ALG', 'STATE', 'AGE', 'PUBLISHED UNTIL'],
      rows.map((r) => [r.kid, r.alg, r.state, formatAge(now - r.createdAt), until(r)]),
    ),
  );
}
