#!/usr/bin/env node
// Appends from several processes at once into one event-store schema, and
// what their PostgreSQL backends wait on meanwhile (ADR 0024). Not a suite
// scenario: it compares two builds of packages/eventstore (e.g. the one with
// the global append lock and the one without), so it takes the build to load.
//
//   node bench/append-contention.mjs [--store <dir with packages/eventstore/dist>]
//        [--processes 4] [--callers 64] [--seconds 10] [--database-url postgres://...]
//
// Prints appends/s (all processes together) and, from pg_stat_activity sampled
// every 20 ms, how often the store's active backends were waiting and on what.
// On a loaded machine appends/s is noise; the wait histogram is the point.
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: '.' },
    processes: { type: 'string', default: '4' },
    callers: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    'database-url': {
      type: 'string',
      default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test',
    },
    child: { type: 'string' },
  },
});
const root = resolve(values.store);
const fromBuild = createRequire(resolve(root, 'packages/eventstore/dist/index.js'));
const url = values['database-url'];
const seconds = Number(values.seconds);

if (values.child) await child(values.child);
else await parent();

/** One process: one store (its own pool), `callers` loops appending to their own streams. */
async function child(schema) {
  const { createEventStore } = fromBuild('./index.js');
  const { SessionClientJoined, freshEventMeta } = fromBuild('@idp/contracts');
  const store = await createEventStore({
    driver: 'postgres',
    url,
    schema,
    applicationName: 'idp-append-bench',
  });
  process.send({ ready: true });
  await new Promise((go) => process.once('message', go));
  const until = Date.now() + seconds * 1000;
  let appends = 0;
  await Promise.all(
    Array.from({ length: Number(values.callers) }, async () => {
      const stream = `session-${randomUUID()}`;
      for (let v = 0; Date.now() < until; v++) {
        const event = SessionClientJoined.create(
          { sid: stream.slice(8), clientId: 'rp' },
          freshEventMeta('bench'),
        );
        await store.append(stream, v, [event]);
        appends++;
      }
    }),
  );
  await store.close();
  process.send({ appends });
}

async function parent() {
  const { Client } = fromBuild('pg');
  const schema = `bench_append_${randomBytes(4).toString('hex')}`;
  const n = Number(values.processes);
  const children = Array.from({ length: n }, () =>
    fork(new URL(import.meta.url).pathname, [...process.argv.slice(2), '--child', schema]),
  );
  const results = children.map(
    (c) =>
      new Promise((ok, fail) => {
        c.on('message', (m) => m.appends !== undefined && ok(m.appends));
        c.on('exit', (code) => code !== 0 && fail(new Error(`child exited with ${code}`)));
      }),
  );
  await Promise.all(
    children.map((c) => new Promise((ok) => c.on('message', (m) => m.ready && ok()))),
  );
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const waits = new Map();
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await admin.query(
        `SELECT coalesce(wait_event_type || '/' || wait_event, 'running') AS w, count(*)::int AS n
         FROM pg_stat_activity WHERE application_name LIKE 'idp-append-bench%' AND state = 'active'
         GROUP BY 1`,
      );
      samples++;
      for (const { w, n } of rows) waits.set(w, (waits.get(w) ?? 0) + n);
      await sleep(20);
    }
  })();
  const started = Date.now();
  children.forEach((c) => c.send('go'));
  const appends = (await Promise.all(results)).reduce((a, b) => a + b, 0);
  const elapsed = (Date.now() - started) / 1000;
  sampling = false;
  await sampler;
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.end();
  const total = [...waits.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${n} processes x ${values.callers} callers, ${elapsed.toFixed(1)} s: ${appends} appends, ` +
      `${Math.round(appends / elapsed)} appends/s`,
  );
  console.log(`active backends by wait event (${samples} samples, ${total} backend-samples):`);
  for (const [w, c] of [...waits].sort((a, b) => b[1] - a[1]))
    console.log(`  ${w.padEnd(28)} ${((100 * c) / total).toFixed(1).padStart(5)} %`);
}
