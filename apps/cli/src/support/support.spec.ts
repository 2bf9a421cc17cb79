import type { EventStore, StoredEvent } from '@idp/eventstore';
import { fakeIo } from '../io.test-support';
import { eventFilter } from '../commands/run/events-tail';
import { ReplayProgress } from './progress';
import { redact } from './redact';
import { formatAge, renderTable } from './table';
import { looksLikeToken } from './token-grant';

/** readAll over the given positions (BigInt decimals, far apart as on PostgreSQL: ADR 0024). */
function fakeStore(positions: bigint[]) {
  const store = {
    readAll: async (from: string, limit: number) =>
      positions
        .filter((p) => p > BigInt(from))
        .slice(0, limit)
        .map((p) => ({ position: p.toString() }) as StoredEvent),
  } as unknown as EventStore;
  return { store };
}

describe('ReplayProgress', () => {
  it('counts what the store read and reports rate and ETA', async () => {
    let now = 0;
    const { io, stderr } = fakeIo({ now: () => now });
    const progress = new ReplayProgress(io, { total: 1000 });
    // Positions of transaction ids 7000.. (one event each): they count nothing.
    const { store } = fakeStore(
      Array.from({ length: 1000 }, (_, i) => BigInt(7000 + i) * 10n ** 15n + BigInt(i + 1)),
    );
    const watched = progress.watch(store);
    await watched.readAll('0', 250);
    now = 2_000;
    expect(progress.line()).toBe('rebuild: 250/1000 events (25%), 125 events/s, ETA 6s');
    progress.report();
    expect(stderr()).toBe('rebuild: 250/1000 events (25%), 125 events/s, ETA 6s\n');
  });

  it('redraws one line on a terminal and clears it at the end', () => {
    const writes: string[] = [];
    const { io } = fakeIo();
    const tty = { ...io, stderr: { isTTY: true, write: (c: string) => writes.push(c) } };
    const progress = new ReplayProgress(tty, { total: 0 });
    progress.start();
    progress.report();
    progress.stop();
    progress.stop();
    expect(writes).toEqual([
      '\r\x1b[2Krebuild: 0/0 events (100%), 0 events/s, ETA unknown',
      '\r\x1b[2K',
    ]);
  });
});

describe('redact', () => {
  it('hides hashes, secrets, passwords and encrypted keys at any depth', () => {
    // `replaces` is the rotated refresh token's keyed hash (grant.refresh_token_issued).
    expect(
      redact({
        data: {
          tokenHash: 'h',
          replaces: 'h',
          secretHash: 'h',
          passwordHash: 'h',
          client_secret: 's',
          encryptedPrivateJwk: 'j',
          list: [{ codeHash: 'h', scope: 'openid' }],
          clientId: 'rp',
        },
      }),
    ).toEqual({
      data: {
        tokenHash: '[redacted]',
        replaces: '[redacted]',
        secretHash: '[redacted]',
        passwordHash: '[redacted]',
        client_secret: '[redacted]',
        encryptedPrivateJwk: '[redacted]',
        list: [{ codeHash: '[redacted]', scope: 'openid' }],
        clientId: 'rp',
      },
    });
  });
});

describe('eventFilter', () => {
  const e = (type: string, stream: string) => ({ type, stream }) as StoredEvent;
  it('matches a type exactly, a prefix with .*, and a grant by its stream', () => {
    expect(eventFilter('grant.revoked')(e('grant.revoked', 'grant-1'))).toBe(true);
    expect(eventFilter('grant.revoked')(e('grant.revoked_x', 'grant-1'))).toBe(false);
    expect(eventFilter('grant.*')(e('grant.revoked', 'grant-1'))).toBe(true);
    expect(eventFilter('grant.*')(e('grants.x', 'grant-1'))).toBe(false);
    expect(eventFilter(undefined, '1')(e('grant.revoked', 'grant-1'))).toBe(true);
    expect(eventFilter(undefined, '1')(e('grant.revoked', 'grant-12'))).toBe(false);
  });
});

describe('tables and ages', () => {
  it('aligns columns and trims the last', () => {
    expect(
      renderTable(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ],
      ),
    ).toBe('A    BB\nxxx  y\nz\n');
  });
  it.each([
    [5, '5s'],
    [125, '2m'],
    [7_300, '2h 1m'],
    [3 * 86_400 + 7_200, '3d 2h'],
    [-3, '0s'],
  ])('formatAge(%i) = %s', (s, text) => expect(formatAge(s)).toBe(text));
});

describe('looksLikeToken', () => {
  it.each([
    ['at_abc.def', true],
    ['rt_abc', true],
    ['aaa.bbb.ccc', true],
    ['a.b.c.d.e', true],
    ['0193f3c1-7b1a-7c2e-9f00-000000000000', false],
    ['grant_id', false],
  ])('%s: %s', (arg, token) => expect(looksLikeToken(arg)).toBe(token));
});

describe('the algorithms --help names', () => {
  it('are @idp/crypto SIGNING_ALGS', async () => {
    const { SIGNING_ALGS } = await import('@idp/crypto');
    const { HELP_ALGS } = await import('../commands/keys');
    expect([...HELP_ALGS]).toEqual([...SIGNING_ALGS]);
  });
});

describe('describeStore', () => {
  it('names the database without its credentials', async () => {
    const { describeStore } = await import('./store');
    const config = {
      DATABASE_URL: 'postgres://idp:s3cret-pw@db.internal:5432/idp',
      DATABASE_SCHEMA: 'tenant_a',
    } as Parameters<typeof describeStore>[0];
    expect(describeStore(config, false)).toBe('PostgreSQL db.internal:5432/idp schema tenant_a');
    expect(describeStore({ ...config, DATABASE_URL: 'not a url' }, false)).toBe(
      'PostgreSQL schema tenant_a',
    );
  });
});
