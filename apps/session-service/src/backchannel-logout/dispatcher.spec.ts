import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from '@idp/crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttemptResult, Delivery } from './delivery';
import type { DeliveryStore } from './delivery-store.port';
import {
  BackchannelDispatcher,
  type AttemptOutcome,
  type DispatcherOptions,
  type LogoutTokenToSign,
} from './dispatcher';
import { createDeliveryStore } from './sql/create-delivery-store';
import { httpLogoutTokenPoster } from './logout-token-poster';
import { createOutboundClient } from '@idp/outbound';
import { outboundPolicy } from '@idp/domain';

/**
 * The dispatcher over a real (SQLite) delivery store, with a fake signer,
 * a fake RP side and a recording journal: no sockets, real timers.
 */
describe('BackchannelDispatcher', () => {
  let dir: string;
  let store: DeliveryStore;
  let dispatcher: BackchannelDispatcher | undefined;
  let journal: AttemptOutcome[];
  let signed: LogoutTokenToSign[][];
  let journalledBeforeRecorded: boolean;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bcl-dispatch-'));
    store = await createDeliveryStore({ driver: 'sqlite', file: join(dir, 'q.sqlite') });
    journal = [];
    signed = [];
    journalledBeforeRecorded = true;
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (o: Partial<DispatcherOptions> = {}): DispatcherOptions => ({
    concurrency: 8,
    timeoutMs: 1_000,
    pollMs: 50,
    schedule: { baseMs: 20, capMs: 40, maxAttempts: 3 },
    flushMs: 5,
    ...o,
  });

  function start(
    post: (uri: string, token: string) => Promise<AttemptResult>,
    o: Partial<DispatcherOptions> = {},
    sign: (t: readonly LogoutTokenToSign[]) => Promise<string[]> = async (t) =>
      t.map((x) => `token:${x.aud}:${x.jti}`),
  ) {
    dispatcher = new BackchannelDispatcher(
      {
        store,
        sign: async (t) => {
          signed.push([...t]);
          return sign(t);
        },
        post,
        journal: async (outcomes) => {
          // Each outcome must still be unrecorded (pending, leased) when it is journalled.
          for (const o of outcomes) {
            const row = await store.get(o.delivery);
            if (row?.status !== 'pending') journalledBeforeRecorded = false;
          }
          journal.push(...outcomes);
        },
      },
      options(o),
    );
    dispatcher.start();
    return dispatcher;
  }

  async function schedule(
    n: number,
    sid = `s-${randomUUID()}`,
    uri = (i: number) => `http://rp.test/${i}`,
  ): Promise<Delivery[]> {
    const rows = await store.schedule(
      Array.from({ length: n }, (_, i) => ({
        sid,
        clientId: `rp-${i}`,
        sub: 'alice',
        jti: randomUUID(),
        uri: uri(i),
        alg: 'ES256',
      })),
      Date.now(),
    );
    dispatcher?.wake();
    return rows;
  }

  async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 5_000) {
    const deadline = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await sleep(5);
    }
  }

  const statusOf = async (d: Delivery) => (await store.get(d))?.status;

  it('delivers every due delivery once, signing in batches with the recorded jti, sid and sub', async () => {
    const posted: string[] = [];
    start(async (uri, token) => {
      posted.push(`${uri} ${token}`);
      return { ok: true, status: 200 };
    });
    const rows = await schedule(30);
    await until('all delivered', async () => {
      for (const r of rows) if ((await statusOf(r)) !== 'delivered') return false;
      return true;
    });
    expect(posted).toHaveLength(30);
    for (const r of rows) expect(posted).toContain(`${r.uri} token:${r.clientId}:${r.jti}`);
    expect(signed.flat()).toHaveLength(30);
    expect(signed.flat()[0]).toMatchObject({ sub: 'alice', sid: rows[0]!.sid, alg: 'ES256' });
    expect(journal.every((o) => o.transition.kind === 'delivered')).toBe(true);
    expect(journalledBeforeRecorded).toBe(true);
  });

  it('keeps at most `concurrency` POSTs in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    start(
      async () => {
        peak = Math.max(peak, ++inFlight);
        await sleep(10);
        inFlight--;
        return { ok: true, status: 200 };
      },
      { concurrency: 4 },
    );
    const rows = await schedule(40);
    await until('all delivered', () => journal.length === rows.length);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('a hanging RP holds one slot: the others are delivered meanwhile', async () => {
    let release: () => void = () => undefined;
    const hang = new Promise<void>((r) => (release = r));
    start(
      async (uri) => {
        if (uri.endsWith('/0')) await hang;
        return { ok: true, status: 200 };
      },
      { concurrency: 4 },
    );
    const rows = await schedule(20);
    await until('all but the hanging one delivered', () => journal.length === 19);
    expect(await statusOf(rows[0]!)).toBe('pending');
    release();
    await until('the slow one too', () => journal.length === 20);
  });

  it('retries a failing RP with back-off, then dead-letters it after max attempts', async () => {
    const attempts: number[] = [];
    start(async () => {
      attempts.push(Date.now());
      return { ok: false, error: 'HTTP 503' };
    });
    const [row] = await schedule(1);
    await until('dead-lettered', async () => (await statusOf(row!)) === 'dead_lettered');
    expect(attempts).toHaveLength(3);
    // Second attempt no sooner than half the base delay after the first (equal jitter).
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(10);
    expect(journal.map((o) => o.transition.kind)).toEqual(['retry', 'retry', 'dead_lettered']);
    expect(await store.get(row!)).toMatchObject({ attempts: 3, lastError: 'HTTP 503' });
  });

  it('dead-letters a delivery to a refused address at once, saying why (issue #13)', async () => {
    // The real poster over the guarded client, as a production issuer configures it.
    const outbound = createOutboundClient({
      policy: outboundPolicy({ allow: [], issuer: 'https://idp.example' }),
      timeoutMs: 1_000,
      connectTimeoutMs: 500,
      maxResponseBytes: 1_024,
    });
    const posted: string[] = [];
    const real = httpLogoutTokenPoster(outbound, { timeoutMs: 1_000 });
    start(
      async (uri, token) => {
        posted.push(uri);
        return real(uri, token);
      },
      { schedule: { baseMs: 60_000, capMs: 60_000, maxAttempts: 20 } },
    );
    const targets = [
      'https://169.254.169.254/latest/meta-data',
      'http://127.0.0.1:6379/',
      'https://kubernetes.default.svc/api',
    ];
    const rows = await schedule(3, undefined, (i) => targets[i]!);
    await until('all dead-lettered', async () => {
      for (const r of rows) if ((await statusOf(r)) !== 'dead_lettered') return false;
      return true;
    });
    outbound.close();
    expect(posted).toHaveLength(3);
    const why = [
      '169.254.169.254 is a link-local address (169.254.0.0/16)',
      '127.0.0.1 is a loopback address (127.0.0.0/8)',
      'kubernetes.default.svc is a cluster-internal service name (*.svc)',
    ];
    for (const [i, r] of rows.entries())
      expect(await store.get(r)).toMatchObject({
        status: 'dead_lettered',
        attempts: 1,
        lastError: `refused by the outbound policy (OUTBOUND_ALLOW): ${why[i]}`,
      });
    expect(journal.map((o) => o.transition.kind)).toEqual([
      'dead_lettered',
      'dead_lettered',
      'dead_lettered',
    ]);
  });

  it('an RP that recovers is delivered on a retry, with the same jti', async () => {
    const tokens: string[] = [];
    start(async (_uri, token) => {
      tokens.push(token);
      return tokens.length < 2 ? { ok: false, error: 'ECONNREFUSED' } : { ok: true, status: 200 };
    });
    const [row] = await schedule(1);
    await until('delivered', async () => (await statusOf(row!)) === 'delivered');
    expect(tokens).toEqual([`token:rp-0:${row!.jti}`, `token:rp-0:${row!.jti}`]);
  });

  it('a signing failure counts no attempt: the delivery is released and sent once signing works', async () => {
    let failures = 2;
    start(
      async () => ({ ok: true, status: 200 }),
      {},
      async (t) => {
        if (failures-- > 0) throw new Error('token-service unavailable');
        return t.map((x) => `token:${x.jti}`);
      },
    );
    const [row] = await schedule(1);
    await until('delivered', async () => (await statusOf(row!)) === 'delivered');
    expect(await store.get(row!)).toMatchObject({ attempts: 1 });
    expect(signed.length).toBe(3);
  });

  it('wake() starts a fan-out at once instead of waiting for the poll', async () => {
    start(async () => ({ ok: true, status: 200 }), { pollMs: 60_000 });
    await sleep(20); // idle now, for up to a minute
    const started = Date.now();
    await schedule(3);
    await until('delivered', () => journal.length === 3, 2_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
