#!/usr/bin/env node
// `node bench/lib/keycloak/check.mjs`: starts Keycloak as the bench does,
// performs each row's operation once and checks the answer, then a short
// issuance load, then stops it (its schema dropped). Exits 0 with a message
// when no JDK 21+ is found (Keycloak's rows are skipped then too), 1 on any
// wrong answer. Needs PostgreSQL (BENCH_DATABASE_URL) and Maven the first
// time (the distribution is fetched and built into .infra/keycloak/).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannon } from '../load.mjs';
import { basicAuth } from '../oauth.mjs';
import { CC_CLIENTS, SEED } from '../targets.mjs';
import { keycloakUnavailable, startKeycloak } from './server.mjs';
import { verifyRows } from './verify.mjs';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const LOAD_SECONDS = Number(process.env.KEYCLOAK_CHECK_LOAD_S ?? 5);
const log = (msg) => process.stderr.write(`[keycloak] ${msg}\n`);
const ok = (msg) => process.stdout.write(`ok  ${msg}\n`);

async function main() {
  const why = keycloakUnavailable();
  if (why) {
    process.stdout.write(`keycloak: skipped, ${why}\n`);
    return;
  }
  const options = {
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test',
  };
  const target = await startKeycloak({ options, root: ROOT, log }, SEED);
  try {
    ok(`started in ${target.startSeconds} s (Java ${target.java.major}, ${target.java.home})`);
    await verifyRows(target, ok);
    const c = CC_CLIENTS['JWT ES256'];
    const r = await cannon('keycloak issuance JWT ES256', {
      url: target.discovery.token_endpoint,
      requests: [
        {
          method: 'POST',
          headers: {
            authorization: basicAuth(c.client_id, c.client_secret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=api%3Aread',
        },
      ],
      connections: 64,
      duration: LOAD_SECONDS,
      warmup: 0,
    });
    ok(`stored: ${await target.verify()}`);
    ok(
      `load: ${LOAD_SECONDS} s of issuance (JWT ES256) at 64 connections, no error: ${Math.round(r.rps)} req/s (cold JVM), p50 ${r.p50} ms, p99 ${r.p99} ms`,
    );
  } finally {
    await target.stop();
    log('stopped, schema dropped');
  }
}

main().catch((err) => {
  process.stderr.write(`keycloak check FAILED: ${err.stack ?? err}\n`);
  process.exit(1);
});
