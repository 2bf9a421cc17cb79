import { ClientDeleted, UserDeleted, uuidv7, freshEventMeta } from '@idp/contracts';
import { joined, type ContractContext, type EventStoreFixture } from './support';

/** streamsWhere and readiness. */
export function queryCases(ctx: ContractContext): void {
  let f!: EventStoreFixture;
  beforeEach(() => {
    f = ctx.fixture();
  });

  it('finds the streams whose events carry a data field value, by prefix, each once, paged', async () => {
    const base = `session-${uuidv7()}`;
    // Code-point order: 'B' (66) before 'a' (97), whatever the database's collation.
    const [upper, lower, other] = [`${base}-B`, `${base}-a`, `${base}-c`];
    await f.store.append(lower, 0, [joined(lower, 1), joined(lower, 1)]);
    await f.store.append(upper, 0, [joined(upper, 1)]);
    await f.store.append(other, 0, [joined(other, 2)]);
    const client = `client-${uuidv7()}`;
    await f.store.append(client, 0, [
      ClientDeleted.create({ clientId: 'rp-1' }, freshEventMeta('c')),
    ]);
    const user = `user-${uuidv7()}`;
    await f.store.append(user, 0, [UserDeleted.create({ sub: 'u-1' }, freshEventMeta('c'))]);
    const where = (field: 'sub' | 'clientId' | 'sid', value: string, more = {}) =>
      f.store.streamsWhere({ streamPrefix: base, field, value, ...more });

    expect(await where('clientId', 'rp-1')).toEqual([upper, lower]);
    expect(await where('sid', other.slice(8))).toEqual([other]);
    expect(
      await f.store.streamsWhere({ streamPrefix: 'client-', field: 'clientId', value: 'rp-1' }),
    ).toEqual([client]);
    expect(
      await f.store.streamsWhere({ streamPrefix: 'user-', field: 'sub', value: 'u-1' }),
    ).toEqual([user]);
    // Paging: after the last id returned, never the same stream twice.
    expect(await where('clientId', 'rp-1', { limit: 1 })).toEqual([upper]);
    expect(await where('clientId', 'rp-1', { limit: 1, after: upper })).toEqual([lower]);
    expect(await where('clientId', 'rp-1', { limit: 1, after: lower })).toEqual([]);
    // Exact matches only: no case folding, no patterns, no SQL in values.
    for (const value of ['RP-1', 'rp-%', 'rp-_', "rp-1' OR '1'='1", ''])
      expect(await where('clientId', value)).toEqual([]);
    for (const streamPrefix of ['session_', '%', `${base.toUpperCase()}`])
      expect(
        await f.store.streamsWhere({ streamPrefix, field: 'clientId', value: 'rp-1' }),
      ).toEqual([]);
    // Field names are a whitelist, never spliced into SQL from the caller.
    for (const field of ['scope', "sub') OR 1=1 --", 'data'])
      await expect(
        f.store.streamsWhere({ streamPrefix: base, field: field as 'sub', value: 'x' }),
      ).rejects.toBeInstanceOf(RangeError);
    await expect(where('clientId', 'rp-1', { limit: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(
      f.store.streamsWhere({ streamPrefix: '', field: 'clientId', value: 'rp-1' }),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('is ready while open and not after close', async () => {
    expect(await f.store.ready()).toBe(true);
    await f.store.close();
    expect(await f.store.ready()).toBe(false);
  });
}
