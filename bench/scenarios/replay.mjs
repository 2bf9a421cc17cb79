// Scenario "replay": rebuild the introspection read model from 100k and 1M
// grant events with the rebuild CLI (events/s, and how it grows), from
// PostgreSQL into Redis (distributed) and from SQLite into memory (embedded).
// See bench/README.md.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { isMain, runStandalone } from '../lib/standalone.mjs';

const TARGET_EVENTS_PER_S = 20_000;
const CLI = 'apps/cli/dist/cli.js';

/** Deterministic, so every run replays the same mix (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One grant stream as token-service writes it, built with the contracts'
 * event definitions (so every event is validated like a real append):
 * 70% authorization-code grants (code issued and redeemed, access, refresh
 * and ID token, 0-6 refresh rotations, 15% revoked as a whole at the end),
 * 30% client_credentials grants (one access token, 10% revoked). Access
 * tokens half opaque, half JWT. Expiries are in the future, so the rebuild
 * writes every entry.
 */
function makeGrant(c, random, counts) {
  const { uuidv7 } = c;
  const grantId = uuidv7();
  const meta = () => c.freshEventMeta(grantId);
  const now = Math.floor(Date.now() / 1000);
  const exp = now + 3600;
  const hash = () => randomBytes(32).toString('base64url');
  const clientId = `client-${Math.floor(random() * 50)}`;
  const sub = `user-${Math.floor(random() * 10_000)}`;
  const events = [];
  const accessToken = (extra = {}) => {
    const format = random() < 0.5 ? 'opaque' : 'jwt';
    const jti = uuidv7();
    const tokenHash = format === 'opaque' ? hash() : undefined;
    events.push(
      c.AccessTokenIssued.create(
        {
          grantId,
          jti,
          ...(tokenHash ? { tokenHash } : {}),
          format,
          clientId,
          scope: 'openid api:read',
          aud: ['https://api.bench.test'],
          iat: now,
          exp,
          extraClaims: { roles: ['reader'] },
          ...extra,
        },
        meta(),
      ),
    );
    counts.accessTokens++;
    return { jti, ...(tokenHash ? { tokenHash } : {}), exp };
  };
  if (random() < 0.3) {
    const at = accessToken();
    if (random() < 0.1) {
      events.push(
        c.AccessTokenRevoked.create({ grantId, ...at, clientId, reason: 'client_request' }, meta()),
      );
    }
    return { stream: `grant-${grantId}`, events };
  }
  const codeHash = hash();
  const sid = `sid-${Math.floor(random() * 10_000)}`;
  events.push(
    c.AuthorizationCodeIssued.create(
      {
        grantId,
        codeHash,
        clientId,
        sub,
        sid,
        scope: 'openid api:read offline_access',
        redirectUri: 'https://rp.bench.test/cb',
        redirectUriSupplied: true,
        codeChallenge: randomBytes(32).toString('base64url'),
        codeChallengeMethod: 'S256',
        authTime: now,
        exp: now + 60,
      },
      meta(),
    ),
    c.AuthorizationCodeRedeemed.create({ grantId, codeHash, clientId }, meta()),
  );
  const ats = [accessToken({ sub, sid })];
  let refresh = hash();
  const rt = (replaces) => {
    events.push(
      c.RefreshTokenIssued.create(
        {
          grantId,
          tokenHash: refresh,
          clientId,
          sub,
          sid,
          scope: 'openid api:read offline_access',
          iat: now,
          exp: now + 86_400,
          ...(replaces ? { replaces } : {}),
          offline: true,
        },
        meta(),
      ),
    );
    counts.refreshTokens++;
  };
  rt();
  events.push(
    c.IdTokenIssued.create({ grantId, jti: uuidv7(), clientId, sub, sid, iat: now, exp }, meta()),
  );
  for (let r = Math.floor(random() * 7); r > 0; r--) {
    ats.push(accessToken({ sub, sid }));
    const replaces = refresh;
    refresh = hash();
    rt(replaces);
  }
  if (random() < 0.15) {
    events.push(
      c.GrantRevoked.create(
        {
          grantId,
          clientId,
          sub,
          sid,
          reason: 'admin',
          until: now + 86_400,
          accessTokens: ats,
          refreshTokenHash: refresh,
        },
        meta(),
      ),
    );
  }
  return { stream: `grant-${grantId}`, events };
}

/**
 * Writes `total` events (whole grant streams, so a little more) into the
 * store's `events` table, in the store's own row format, 10,000 rows per
 * INSERT. Not through `EventStore.append`: each append is a transaction
 * serialized by the store's append lock (≈ 3k events/s here, 6 minutes for
 * 1M), and the replay reads the same rows in the same order however they
 * were written. The schema comes from createEventStore's migrations, every
 * event from the contracts' definitions (validated as on append), and the
 * rebuild parses every row it reads, so a row the store would not have
 * written fails the run.
 */
async function generate(req, pg, schema, total, log) {
  const c = req('@idp/contracts');
  const random = rng(6);
  const counts = { events: 0, accessTokens: 0, refreshTokens: 0 };
  const started = Date.now();
  let lastLog = started;
  const cols = Array.from({ length: 9 }, () => []);
  const flush = async () => {
    if (cols[0].length === 0) return;
    await pg.query(
      `INSERT INTO "${schema}".events
         (id, stream, stream_version, type, version, occurred_at, correlation_id, causation_id, data)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[],
         $7::text[], $8::text[], $9::jsonb[])`,
      cols,
    );
    for (const col of cols) col.length = 0;
  };
  while (counts.events < total) {
    const { stream, events } = makeGrant(c, random, counts);
    events.forEach((e, i) => {
      const row = [
        e.id,
        stream,
        i + 1,
        e.type,
        e.version,
        e.occurredAt,
        e.correlationId,
        e.causationId ?? null,
        JSON.stringify(e.data),
      ];
      row.forEach((v, k) => cols[k].push(v));
    });
    counts.events += events.length;
    if (cols[0].length >= 10_000) await flush();
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${counts.events.toLocaleString('en-US')} events written`);
    }
  }
  await flush();
  log(
    `  ${counts.events.toLocaleString('en-US')} events written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return counts;
}

/** Copies the PostgreSQL store's events, as stored, into an SQLite store (the embedded mode's file). */
async function copyToSqlite(req, databaseUrl, schema, file) {
  const { createEventStore } = req('@idp/eventstore');
  await (await createEventStore({ driver: 'sqlite', file })).close(); // creates and migrates it
  const Database = req('better-sqlite3');
  const db = new Database(file);
  // Bulk load: the replay, not this copy, is measured.
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    // Positions are assigned in insertion order, which is PostgreSQL's position order.
    `INSERT INTO events (id, stream, stream_version, type, version, occurred_at,
       correlation_id, causation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = db.transaction((rows) => {
    for (const r of rows) {
      insert.run(
        r.id,
        r.stream,
        r.stream_version,
        r.type,
        r.version,
        r.occurred_at,
        r.correlation_id,
        r.causation_id,
        r.data,
      );
    }
  });
  const { Client } = req('pg');
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  let copied = 0;
  try {
    for (let after = '0'; ;) {
      const { rows } = await pg.query(
        `SELECT position::text AS position, id::text AS id, stream, stream_version, type, version,
           occurred_at, correlation_id, causation_id, data::text AS data
         FROM "${schema}".events e WHERE e.position > $1 ORDER BY e.position LIMIT 20000`,
        [after],
      );
      if (rows.length === 0) break;
      insertAll(rows);
      copied += rows.length;
      after = rows.at(-1).position;
    }
  } finally {
    await pg.end();
    db.close();
  }
  return copied;
}

function rebuild(root, env, args) {
  return new Promise((resolve, reject) => {
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    execFile(
      process.execPath,
      [...nodeArgs, join(root, CLI), 'read-model', 'rebuild', ...args],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`rebuild ${args.join(' ')} failed: ${stderr || err}`));
        // "rebuild: [erased N keys, then ]read N events, applied M to the read model in S s (R events/s)"
        const m = /read (\d+) events, applied (\d+) .* in ([\d.]+) s \((\d+) events\/s\)/.exec(
          stdout,
        );
        if (!m) return reject(new Error(`unexpected rebuild output: ${stdout}`));
        resolve({ events: +m[1], applied: +m[2], seconds: +m[3], rate: +m[4] });
      },
    );
  });
}

async function deleteKeys(redis, pattern) {
  let deleted = 0;
  for await (const keys of redis.scanStream({ match: pattern, count: 5000 })) {
    if (keys.length) deleted += await redis.unlink(...keys);
  }
  return deleted;
}

async function countKeys(redis, pattern) {
  let n = 0;
  for await (const keys of redis.scanStream({ match: pattern, count: 5000 })) n += keys.length;
  return n;
}

/** One size: generate, rebuild into Redis (distributed), then into memory from SQLite (embedded). */
async function runSize(ctx, size) {
  const { root, options, log } = ctx;
  const req = createRequire(join(root, 'package.json'));
  const id = randomBytes(4).toString('hex');
  const schema = `bench_replay_${id}`;
  const prefix = `bench:replay:${id}:`;
  const dir = mkdtempSync(join(tmpdir(), 'idp-bench-replay-'));
  const env = {
    DATABASE_URL: options.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    TOKEN_HASH_KEY: randomBytes(32).toString('base64url'),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
  };
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  const { createEventStore } = req('@idp/eventstore');
  const { Client } = req('pg');
  try {
    log(`${size.toLocaleString('en-US')} events: generating into schema ${schema}`);
    // The store's schema, migrated as token-service would.
    await (
      await createEventStore({ driver: 'postgres', url: options.databaseUrl, schema, poolSize: 2 })
    ).close();
    const pg = new Client({ connectionString: options.databaseUrl });
    await pg.connect();
    let counts;
    try {
      counts = await generate(req, pg, schema, size, log);
    } finally {
      await pg.end();
    }
    const load = loadavg()[0].toFixed(2);
    const distributed = await rebuild(root, env, ['--flush']);
    log(`  distributed: ${distributed.rate} events/s (${distributed.seconds} s)`);
    if (distributed.events !== counts.events) {
      throw new Error(`rebuild read ${distributed.events} events, ${counts.events} were appended`);
    }
    // Every access and refresh token has its entry (active, or a tombstone when revoked).
    const keys = await countKeys(redis, `${prefix}introspection:*`);
    const expected = counts.accessTokens + counts.refreshTokens;
    if (keys !== expected) {
      throw new Error(`the rebuilt read model has ${keys} entries, expected ${expected}`);
    }
    const copied = await copyToSqlite(req, options.databaseUrl, schema, join(dir, 'events.sqlite'));
    if (copied !== counts.events) throw new Error(`copied ${copied} of ${counts.events} events`);
    const embedded = await rebuild(root, env, ['--embedded']);
    log(`  embedded: ${embedded.rate} events/s (${embedded.seconds} s)`);
    if (embedded.events !== counts.events) {
      throw new Error(`embedded rebuild read ${embedded.events} events, ${counts.events} stored`);
    }
    return { size, events: counts.events, distributed, embedded, load };
  } finally {
    await deleteKeys(redis, `${prefix}*`).catch((err) => log(`clean-up (Redis): ${err.message}`));
    redis.disconnect();
    const pg = new Client({ connectionString: options.databaseUrl });
    await pg
      .connect()
      .then(() => pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
      .catch((err) => log(`clean-up (PostgreSQL): ${err.message}`))
      .finally(() => pg.end());
    rmSync(dir, { recursive: true, force: true });
  }
}

function sizesOf(ctx) {
  const given = ctx.options.replaySizes ?? process.env.BENCH_REPLAY_SIZES;
  if (ctx.smoke) return [2_000];
  const sizes = given ? String(given).split(',').map(Number) : [100_000, 1_000_000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad sizes ${given}`);
  return sizes;
}

const scenario = {
  name: 'replay',
  title: 'Replay: rebuild the introspection read model from the event store',
  async run(ctx) {
    if (!existsSync(join(ctx.root, CLI))) throw new Error(`${CLI} is missing: run the build first`);
    const results = [];
    for (const size of sizesOf(ctx)) results.push(await runSize(ctx, size));
    const rows = results.flatMap((r) =>
      [
        ['distributed', r.distributed, 'PostgreSQL → Redis (rebuild --flush)'],
        ['embedded', r.embedded, 'SQLite → memory (rebuild --embedded)'],
      ].map(([mode, m, how]) => ({
        scenario: 'replay',
        variant: `${r.events.toLocaleString('en-US')} events`,
        mode,
        ours: m.rate,
        unit: 'events/s',
        errors: 0,
        target: `≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s`,
        met: m.rate >= TARGET_EVENTS_PER_S,
        notes: `${how}: ${m.seconds} s, ${m.applied.toLocaleString('en-US')} applied; load avg ${r.load}`,
      })),
    );
    return {
      rows,
      csv: [
        {
          file: 'replay.csv',
          // One unit per chart: events/s against the number of events replayed.
          header: ['events', 'distributed_events_per_second', 'embedded_events_per_second'],
          lines: results.map((r) => [r.events, r.distributed.rate, r.embedded.rate]),
        },
      ],
    };
  },
};

export default scenario;

if (isMain(import.meta.url)) await runStandalone(scenario, { replaySizes: '' });
