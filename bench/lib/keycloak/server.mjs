// One Keycloak server for a benchmark: production mode (`kc.sh start
// --optimized` on the cached build), its own schema in the shared
// PostgreSQL (created before start, dropped after stop), the bench realm
// imported at start, plain HTTP on a free loopback port. The result has the
// shape of bench/lib/targets.mjs startTarget's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../processes.mjs';
import { ensureKeycloak, KEYCLOAK_VERSION } from './install.mjs';
import { findJava, MIN_JAVA } from './java.mjs';
import { REALM, realmFor } from './realm.mjs';

/** How the table names this target. */
export const KEYCLOAK_LABEL = `Keycloak ${KEYCLOAK_VERSION}, production mode on PostgreSQL (own schema), local caches, one JVM; its logins check Keycloak's default Argon2 password hash`;

// Start-up took 120-225 s here, with other work keeping the 2 cores busy (a
// start on a fresh schema creates Keycloak's ~100 tables first).
export const START_TIMEOUT_S = Number(process.env.KEYCLOAK_START_TIMEOUT_S ?? 300);
// A fixed heap, as a production deployment sets one: Keycloak's default is
// 70 % of the machine's memory, which on a shared machine is not its to take.
const HEAP = process.env.KEYCLOAK_HEAP ?? '-Xms512m -Xmx1536m';

/** Why Keycloak cannot run here (no JDK ≥ 21), or undefined when it can. */
export function keycloakUnavailable(env = process.env) {
  return findJava(env)
    ? undefined
    : `no JDK ${MIN_JAVA} or newer found (looked at $KEYCLOAK_JAVA_HOME, $JAVA_HOME and /usr/lib/jvm/*)`;
}

function pgClient(root, databaseUrl) {
  const { Client } = createRequire(join(root, 'package.json'))('pg');
  return new Client({ connectionString: databaseUrl });
}

async function sql(root, databaseUrl, statement, params) {
  const pg = pgClient(root, databaseUrl);
  await pg.connect();
  try {
    return (await pg.query(statement, params)).rows;
  } finally {
    await pg.end();
  }
}

/**
 * A Keycloak home of this run's own: bin/ copied (kc.sh finds its home from
 * its own path), the cached build's lib/, conf/, providers/ and themes/
 * linked, and data/ (the realm to import, Keycloak's temp files) private, so
 * runs in parallel share the build and nothing else.
 */
function runHome(dist, realm) {
  const home = mkdtempSync(join(tmpdir(), 'kc-bench-'));
  cpSync(join(dist, 'bin'), join(home, 'bin'), { recursive: true });
  for (const d of ['lib', 'conf', 'providers', 'themes']) symlinkSync(join(dist, d), join(home, d));
  mkdirSync(join(home, 'data', 'import'), { recursive: true });
  writeFileSync(join(home, 'data', 'import', `${REALM}-realm.json`), JSON.stringify(realm));
  return home;
}

/** The java process kc.sh started (a child of the script's shell), for CPU figures. */
function javaChild(pid) {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return children.map(Number).find((c) => c > 0);
  } catch {
    return undefined;
  }
}

function jdbcUrl(databaseUrl) {
  const u = new URL(databaseUrl);
  return `jdbc:postgresql://${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/**
 * Starts Keycloak seeded with `seed` (bench/lib/targets.mjs SEED).
 * ctx: { options: { databaseUrl }, root, log }. Returns { name, base,
 * discovery, introspectUrls, startSeconds, pids(), logs(), stop() }; base is
 * the realm's issuer, under which discovery is found as for the others.
 */
export async function startKeycloak(ctx, seed) {
  const { root, log = () => {} } = ctx;
  const databaseUrl = ctx.options.databaseUrl;
  const java = findJava();
  if (!java) throw new Error(`keycloak: ${keycloakUnavailable()}`);
  const dist = await ensureKeycloak({ root, java, log });
  const schema = `kc_bench_${randomBytes(5).toString('hex')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/realms/${REALM}`;
  const home = runHome(dist, realmFor(seed));
  let output = '';
  let child;
  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      try {
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          const group = (signal) => {
            try {
              process.kill(-child.pid, signal); // kc.sh and its java: the group started detached below
            } catch {
              // already gone
            }
          };
          group('SIGTERM');
          const timer = setTimeout(() => group('SIGKILL'), 20_000);
          await exited;
          clearTimeout(timer);
          group('SIGKILL'); // a java that outlived its script
        }
      } finally {
        await sql(root, databaseUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((err) =>
          log(`keycloak: dropping schema ${schema} failed: ${err.message}`),
        );
        rmSync(home, { recursive: true, force: true });
      }
    })());
  try {
    await sql(root, databaseUrl, `CREATE SCHEMA "${schema}"`);
    const t0 = Date.now();
    child = spawn(
      join(home, 'bin', 'kc.sh'),
      [
        'start',
        '--optimized',
        '--import-realm',
        `--db-url=${jdbcUrl(databaseUrl)}`,
        `--db-username=${new URL(databaseUrl).username || 'postgres'}`,
        ...(new URL(databaseUrl).password
          ? [`--db-password=${decodeURIComponent(new URL(databaseUrl).password)}`]
          : []),
        `--db-schema=${schema}`,
        '--http-enabled=true',
        '--http-host=127.0.0.1',
        `--http-port=${port}`,
        '--hostname-strict=false',
        // One node: Infinispan's local caches. The default (clustered) stack
        // would look for peers on the machine's network addresses.
        '--cache=local',
        '--log-level=warn',
      ],
      {
        cwd: home,
        env: { ...process.env, JAVA_HOME: java.home, JAVA_OPTS_KC_HEAP: HEAP },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, so stop() ends kc.sh and java together
      },
    );
    const keep = (chunk) => (output = (output + chunk).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const discovery = await waitFor(
      `Keycloak's discovery at ${base} (${START_TIMEOUT_S} s; KEYCLOAK_START_TIMEOUT_S)`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`Keycloak exited (${child.exitCode ?? child.signalCode}):\n${output}`);
        const res = await fetch(`${base}/.well-known/openid-configuration`, {
          signal: AbortSignal.timeout(5_000),
        });
        return res.status === 200 ? res.json() : (await res.arrayBuffer(), false);
      },
      { timeoutMs: START_TIMEOUT_S * 1000, intervalMs: 1_000 },
    );
    const startSeconds = Math.round((Date.now() - t0) / 1000);
    log(`keycloak: up in ${startSeconds} s (schema ${schema}, Java ${java.major})`);
    return {
      name: 'keycloak',
      base,
      discovery,
      introspectUrls: [discovery.introspection_endpoint],
      startSeconds,
      java,
      pids: () => [javaChild(child.pid) ?? child.pid],
      logs: () => output,
      stop,
      /**
       * Proof that Keycloak ran on its PostgreSQL schema: the realm, its
       * clients and users are there, and the offline sessions its code flows
       * left (none after issuance alone: client_credentials makes no session;
       * a refresh token's reuse ends its session). Returns a note.
       */
      async verify() {
        const [realm] = await sql(
          root,
          databaseUrl,
          `SELECT id FROM "${schema}".realm WHERE name = $1`,
          [REALM],
        );
        if (!realm) throw new Error(`keycloak: no realm ${REALM} in schema ${schema}`);
        const count = async (table) =>
          (
            await sql(
              root,
              databaseUrl,
              `SELECT count(*)::int AS n FROM "${schema}".${table} WHERE realm_id = $1`,
              [realm.id],
            )
          )[0].n;
        const clients = await count('client');
        const users = await count('user_entity');
        const sessions = await count('offline_user_session');
        return `PostgreSQL schema ${schema}: realm ${REALM} with ${clients} clients (Keycloak's own included), ${users} users (service accounts included), ${sessions} offline session${sessions === 1 ? '' : 's'}`;
      },
    };
  } catch (err) {
    await stop();
    throw new Error(
      `${err.message}${output && !err.message.includes(output) ? `\n${output}` : ''}`.slice(
        0,
        8_000,
      ),
    );
  }
}
