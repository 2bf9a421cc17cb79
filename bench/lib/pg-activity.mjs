// What one stack's PostgreSQL connections are doing during a load, and what
// the server committed. The sampler reads pg_stat_activity for the backends
// whose application_name ends in `/<schema>` (openDataSource names every
// connection `idp-<app>/<schema>`), so other stacks on the shared server are
// left out; a backend waiting on `Lock`/`advisory` is queued behind another
// connection's advisory lock, which is how a global append lock shows up.
// The counters (pg_stat_database, pg_stat_wal) are server-wide: they include
// anything else using the server during the row.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The states a sampled backend is counted in, in report order. */
export const BACKEND_STATES = [
  'running',
  'advisory lock wait',
  'other lock wait',
  'WAL write/fsync',
  'other wait',
  'idle in transaction',
  'idle',
];

/** Which of BACKEND_STATES one pg_stat_activity row is in. */
export function classifyBackend({ state, wait_event_type: type, wait_event: event }) {
  if (state === 'idle') return 'idle';
  if (state?.startsWith('idle in transaction')) return 'idle in transaction';
  if (type === 'Lock') return event === 'advisory' ? 'advisory lock wait' : 'other lock wait';
  if (type === 'IO' && (event === 'WALSync' || event === 'WALWrite')) return 'WAL write/fsync';
  if (type === null || type === undefined) return 'running';
  // An active backend reading the client's next message waits on the app, not on PostgreSQL.
  if (type === 'Client') return 'running';
  return 'other wait';
}

/** Per state: the mean number of backends in it per sample and the most at once. */
export function summariseSamples(samples) {
  const out = {};
  for (const state of BACKEND_STATES) {
    const counts = samples.map((s) => s[state] ?? 0);
    out[state] = {
      mean: counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length : 0,
      max: counts.length ? Math.max(...counts) : 0,
    };
  }
  return out;
}

/**
 * `advisory lock wait 1.4 (max 2), running 0.6 (max 3), ...`: the states seen
 * at all; then the wait events behind the "other" states, most seen first
 * (`waits seen: LWLock:WALInsert 12, ...`, counted over every sample).
 */
export function describeSummary(summary, sampleCount, otherWaits = {}) {
  const seen = BACKEND_STATES.filter((s) => summary[s].max > 0).map(
    (s) => `${s} ${summary[s].mean.toFixed(1)} (max ${summary[s].max})`,
  );
  const waits = Object.entries(otherWaits)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([event, n]) => `${event} ${n}`);
  return (
    `pg backends, mean of ${sampleCount} samples: ${seen.join(', ') || 'none seen'}` +
    (waits.length ? ` (other waits seen: ${waits.join(', ')})` : '')
  );
}

const pgClient = async (root, databaseUrl) => {
  const { Client } = createRequire(join(root, 'package.json'))('pg');
  const client = new Client({ connectionString: databaseUrl, application_name: 'idp-bench-probe' });
  await client.connect();
  return client;
};

/**
 * Samples pg_stat_activity every intervalMs until stop(), which returns
 * { samples, summary, text, pids } (pids: every backend of the stack seen,
 * for CPU meters).
 */
export async function sampleActivity({ root, databaseUrl, schema, intervalMs = 100 }) {
  const client = await pgClient(root, databaseUrl);
  const samples = [];
  const otherWaits = {}; // `type:event` → how often a sampled backend was in it
  const pids = new Set();
  let stopped = false;
  const once = async () => {
    const { rows } = await client.query(
      `SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity
        WHERE application_name LIKE '%/' || $1 AND pid <> pg_backend_pid()`,
      [schema],
    );
    const sample = {};
    for (const row of rows) {
      pids.add(row.pid);
      const state = classifyBackend(row);
      sample[state] = (sample[state] ?? 0) + 1;
      if (state === 'other wait' || state === 'other lock wait') {
        const event = `${row.wait_event_type}:${row.wait_event}`;
        otherWaits[event] = (otherWaits[event] ?? 0) + 1;
      }
    }
    samples.push(sample);
  };
  const loop = (async () => {
    while (!stopped) {
      await once();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    /** The stack's backends seen so far. */
    pids: () => [...pids],
    async stop() {
      stopped = true;
      try {
        await loop;
      } finally {
        await client.end();
      }
      const summary = summariseSamples(samples);
      return {
        samples: samples.length,
        summary,
        text: describeSummary(summary, samples.length, otherWaits),
      };
    },
  };
}

/**
 * Commits (pg_stat_database, this database), WAL writes and fsyncs
 * (pg_stat_wal), WAL bytes (the insert position, exact) and the events in
 * the stack's schema, read before and after a row: stop() returns the
 * differences. All but the events are server-wide. The statistics views lag:
 * a backend reports its counts at most once a second (and an idle one ten
 * seconds later), so commits and fsyncs are good to a second's worth at each
 * end of the row: measure for 10 s or more.
 */
export async function serverCounters({ root, databaseUrl, schema }) {
  const client = await pgClient(root, databaseUrl);
  const read = async () => {
    // The statistics snapshot is per transaction; read fresh figures.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const {
      rows: [row],
    } = await client.query(
      `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
              (SELECT wal_sync FROM pg_stat_wal) AS wal_syncs,
              (SELECT wal_write FROM pg_stat_wal) AS wal_writes,
              pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS wal_bytes,
              (SELECT count(*) FROM "${schema}".events) AS events`,
    );
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  };
  try {
    const before = await read();
    const t0 = process.hrtime.bigint();
    return {
      async stop() {
        try {
          const after = await read();
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const delta = Object.fromEntries(
            Object.keys(after).map((k) => [k, after[k] - before[k]]),
          );
          return { ...delta, seconds };
        } finally {
          await client.end();
        }
      },
    };
  } catch (err) {
    await client.end();
    throw err;
  }
}
