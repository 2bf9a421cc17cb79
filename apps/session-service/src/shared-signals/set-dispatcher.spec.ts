import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resultOfPush, type SetDelivery } from './set-delivery';
import { SetDispatcher, type PushTarget } from './set-dispatcher';
import { deliveryFor, SetFanOut } from './set-fan-out';
import type { Signal } from './signal-mapping';
import { createSsfStore } from './sql/create-ssf-store';
import type { SqlSsfStore } from './sql/sql.ssf-store';
import type { StreamRow } from './ssf-store.port';

const TYPE = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

const stream = (streamId: string, over: Partial<StreamRow> = {}): StreamRow => ({
  streamId,
  clientId: `rs-${streamId}`,
  status: 'enabled',
  method: 'push',
  endpointUrl: `https://${streamId}.example/set`,
  sealedAuthorization: `sealed:${streamId}`,
  eventsDelivered: [TYPE],
  excluded: [],
  version: 1,
  ...over,
});

const signal = (n: number, over: Partial<Signal> = {}): Signal => ({
  eventType: TYPE,
  txn: `ev-${n}`,
  sourceKey: `ev-${n}`,
  iat: 1_800_000_000,
  subId: { format: 'iss_sub', iss: 'https://op', sub: 'u-1' },
  principals: { iss: 'https://op', sub: 'u-1' },
  subjectKeys: [JSON.stringify(['iss_sub', 'https://op', 'u-1'])],
  payload: {},
  ...over,
});

type Answer = (target: PushTarget) => Promise<{ status: number; body?: string | undefined }>;

describe('SetDispatcher (RFC 8935 push)', () => {
  let dir: string;
  let store: SqlSsfStore;
  let dispatcher: SetDispatcher;
  let fanOut: SetFanOut;
  const posts: { target: PushTarget; set: string; at: number }[] = [];
  const signed: string[][] = [];
  const answers = new Map<string, Answer>();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ssf-dispatch-'));
    store = await createSsfStore({ driver: 'sqlite', file: join(dir, 'ssf.sqlite') });
    posts.length = 0;
    signed.length = 0;
    answers.clear();
    dispatcher = new SetDispatcher(
      {
        store,
        // A SET "signed" as its jti, so the posts show which delivery went where.
        sign: async (ds: readonly SetDelivery[]) => {
          signed.push(ds.map((d) => d.jti));
          return ds.map((d) => `set.${d.jti}`);
        },
        post: async (target, set) => {
          posts.push({ target, set, at: Date.now() });
          const host = new URL(target.endpointUrl).hostname.split('.')[0]!;
          const answer: Answer = answers.get(host) ?? (async () => ({ status: 202 }));
          const { status, body } = await answer(target);
          return resultOfPush(status, body);
        },
        openAuthorization: (streamId, sealed) =>
          sealed === `sealed:${streamId}` ? `Bearer of ${streamId}` : undefined,
        random: () => 0.5,
      },
      {
        concurrency: 8,
        timeoutMs: 1000,
        pollMs: 50,
        schedule: { baseMs: 40, capMs: 80, maxAttempts: 3 },
        flushMs: 5,
      },
    );
    fanOut = new SetFanOut(store, () => dispatcher.wake());
    dispatcher.start();
  });

  afterEach(async () => {
    await dispatcher.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const until = async (what: () => Promise<boolean> | boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out');
      await sleep(10);
    }
  };
  const rowsOf = async (streamId: string) =>
    Promise.all((await store.deadLetters({ limit: 100 })).filter((d) => d.streamId === streamId));

  it("pushes a SET to each stream that takes it, with the receiver's Authorization header", async () => {
    await store.upsertStream(stream('a'));
    await store.upsertStream(stream('b', { sealedAuthorization: undefined } as never));
    await store.upsertStream(stream('c', { eventsDelivered: ['urn:other'] }));
    await store.upsertStream(
      stream('d', { excluded: [JSON.stringify(['iss_sub', 'https://op', 'u-1'])] }),
    );
    expect(await fanOut.schedule([signal(1)])).toBe(2);
    await until(() => posts.length === 2);
    const byHost = Object.fromEntries(
      posts.map((p) => [new URL(p.target.endpointUrl).hostname, p.target.authorization]),
    );
    expect(byHost).toEqual({ 'a.example': 'Bearer of a', 'b.example': undefined });
    // Outcomes are recorded in batches after the posts answer (flushMs): wait for the batch.
    await until(async () => (await store.counts()).pending === 0);
  });

  it('retries a 503 with backoff and the same jti, then dead-letters it', async () => {
    await store.upsertStream(stream('a'));
    answers.set('a', async () => ({ status: 503 }));
    await fanOut.schedule([signal(1)]);
    await until(async () => (await rowsOf('a')).length === 1);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.set)).size).toBe(1);
    // Backed off between attempts: 40 ms base, doubling (jitter fixed at the middle).
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(20);
    expect((await rowsOf('a'))[0]).toMatchObject({ attempts: 3, lastError: 'HTTP 503' });
  });

  it('dead-letters at once a 400 whose RFC 8935 error a retry cannot fix', async () => {
    await store.upsertStream(stream('a'));
    answers.set('a', async () => ({ status: 400, body: JSON.stringify({ err: 'invalid_key' }) }));
    await fanOut.schedule([signal(1)]);
    await until(async () => (await rowsOf('a')).length === 1);
    expect(posts).toHaveLength(1);
    expect((await rowsOf('a'))[0]!.lastError).toBe('HTTP 400 invalid_key');
  });

  it('never lets a slow receiver delay another', async () => {
    await store.upsertStream(stream('slow'));
    await store.upsertStream(stream('fast'));
    const held: (() => void)[] = [];
    answers.set('slow', () => new Promise((r) => held.push(() => r({ status: 202 }))));
    const t0 = Date.now();
    await fanOut.schedule([signal(1), signal(2)]);
    await until(() => posts.filter((p) => p.target.endpointUrl.includes('fast')).length === 2);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(held).toHaveLength(2);
    held.forEach((release) => release());
  });

  it('holds the SETs of a paused stream and delivers them once it is enabled', async () => {
    await store.upsertStream(stream('a', { status: 'paused' }));
    await fanOut.schedule([signal(1)]);
    await sleep(150);
    expect(posts).toHaveLength(0);
    await store.upsertStream(stream('a', { status: 'enabled', version: 2 }));
    fanOut.wakeDispatcher();
    await until(() => posts.length === 1);
  });

  it('queues nothing for a disabled or deleted stream', async () => {
    await store.upsertStream(stream('a', { status: 'disabled' }));
    await store.upsertStream(stream('b', { status: 'deleted' }));
    expect(await fanOut.schedule([signal(1)])).toBe(0);
  });

  it('dead-letters a push whose stored header no longer opens, without sending anything', async () => {
    await store.upsertStream(stream('a', { sealedAuthorization: 'tampered' }));
    await fanOut.schedule([signal(1)]);
    await until(async () => (await rowsOf('a')).length === 1);
    expect(posts).toHaveLength(0);
  });

  it('signs 1,000 SETs in batches, every one of them once', async () => {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.upsertStream(stream(`s${i}`))));
    const queued = await fanOut.schedule([signal(1)]);
    expect(queued).toBe(1000);
    await until(() => posts.length === 1000, 20_000);
    expect(signed.every((batch) => batch.length <= 100)).toBe(true);
    expect(new Set(signed.flat()).size).toBe(1000);
  });

  it('a redelivered source event queues nothing twice', async () => {
    await store.upsertStream(stream('a'));
    expect(await fanOut.schedule([signal(1)])).toBe(1);
    expect(await fanOut.schedule([signal(1)])).toBe(0);
    expect(deliveryFor(stream('a'), signal(1)).jti).not.toBe(
      deliveryFor(stream('a'), signal(1)).jti,
    );
  });
});
