// The scaleout scenario's pure parts (bench/lib/ours.mjs, bench/lib/pg-activity.mjs,
// bench/scenarios/scaleout.mjs). No servers needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grpcTargetOf } from '../lib/ours.mjs';
import {
  BACKEND_STATES,
  classifyBackend,
  describeSummary,
  summariseSamples,
} from '../lib/pg-activity.mjs';
import { issuedFromMetrics, splitConnections } from '../scenarios/scaleout.mjs';

test('one token-service is a plain address; several are an ipv4: list for round robin', () => {
  assert.equal(grpcTargetOf([5001]), '127.0.0.1:5001');
  assert.equal(
    grpcTargetOf([5001, 5002, 5003]),
    'ipv4:127.0.0.1:5001,127.0.0.1:5002,127.0.0.1:5003',
  );
});

test('a backend queued behind an advisory lock is told apart from every other state', () => {
  const row = (state, type = null, event = null) => ({
    state,
    wait_event_type: type,
    wait_event: event,
  });
  assert.equal(classifyBackend(row('active', 'Lock', 'advisory')), 'advisory lock wait');
  assert.equal(classifyBackend(row('active', 'Lock', 'transactionid')), 'other lock wait');
  assert.equal(classifyBackend(row('active', 'IO', 'WALSync')), 'WAL write/fsync');
  assert.equal(classifyBackend(row('active', 'IO', 'WALWrite')), 'WAL write/fsync');
  assert.equal(classifyBackend(row('active', 'IO', 'DataFileRead')), 'other wait');
  assert.equal(classifyBackend(row('active', 'LWLock', 'WALInsert')), 'other wait');
  assert.equal(classifyBackend(row('active')), 'running');
  assert.equal(
    classifyBackend(row('idle in transaction', 'Client', 'ClientRead')),
    'idle in transaction',
  );
  assert.equal(classifyBackend(row('idle in transaction (aborted)')), 'idle in transaction');
  assert.equal(classifyBackend(row('idle', 'Client', 'ClientRead')), 'idle');
  for (const s of ['running', 'advisory lock wait', 'idle']) assert.ok(BACKEND_STATES.includes(s));
});

test('samples summarise as the mean per sample and the most at once', () => {
  const summary = summariseSamples([
    { 'advisory lock wait': 2, running: 1 },
    { running: 1 },
    { 'advisory lock wait': 1, idle: 3 },
  ]);
  assert.equal(summary['advisory lock wait'].mean, 1);
  assert.equal(summary['advisory lock wait'].max, 2);
  assert.equal(summary.running.mean, 2 / 3);
  assert.equal(summary['other lock wait'].max, 0);
  assert.equal(
    describeSummary(summary, 3),
    'pg backends, mean of 3 samples: running 0.7 (max 1), advisory lock wait 1.0 (max 2), idle 1.0 (max 3)',
  );
  assert.equal(
    describeSummary(summariseSamples([]), 0),
    'pg backends, mean of 0 samples: none seen',
  );
  assert.equal(
    describeSummary(summariseSamples([{ 'other wait': 1 }]), 1, {
      'IO:DataFileRead': 1,
      'LWLock:WALInsert': 3,
    }),
    'pg backends, mean of 1 samples: other wait 1.0 (max 1) (other waits seen: LWLock:WALInsert 3, IO:DataFileRead 1)',
  );
});

test('connections split over replicas add up to the total, the first ones taking the rest', () => {
  assert.deepEqual(splitConnections(64, 1), [64]);
  assert.deepEqual(splitConnections(64, 2), [32, 32]);
  assert.deepEqual(splitConnections(64, 3), [22, 21, 21]);
  assert.deepEqual(splitConnections(8, 3), [3, 3, 2]);
});

test('tokens issued are the client_credentials access tokens of a /metrics page', () => {
  const page = [
    '# HELP idp_tokens_issued_total Tokens issued',
    '# TYPE idp_tokens_issued_total counter',
    'idp_tokens_issued_total{grant_type="client_credentials",token_type="access_token",format="jwt"} 40',
    'idp_tokens_issued_total{grant_type="client_credentials",token_type="access_token",format="opaque"} 2',
    'idp_tokens_issued_total{grant_type="refresh_token",token_type="access_token",format="jwt"} 7',
    'idp_tokens_issued_total{grant_type="authorization_code",token_type="refresh_token",format="opaque"} 5',
    'idp_tokens_issued_totalx{grant_type="client_credentials",token_type="access_token"} 99',
  ].join('\n');
  assert.equal(issuedFromMetrics(page), 42);
  assert.equal(issuedFromMetrics(''), 0);
});
