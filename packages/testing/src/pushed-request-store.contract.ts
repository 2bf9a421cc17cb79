import { setTimeout as sleep } from 'node:timers/promises';
import type { PushedRequestStore } from '@idp/cache';

export interface PushedRequestStoreFixture {
  /** Two connections to one store, as two auth-api replicas have. */
  readonly stores: readonly [PushedRequestStore, PushedRequestStore];
  /** Lets `ms` pass: the in-memory adapter moves its clock; omitted, the suite sleeps. */
  readonly advance?: (ms: number) => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

/** Behaviour every PushedRequestStore adapter must have (RFC 9126 request_uri, ADR 0028). */
export function pushedRequestStoreContract(
  name: string,
  make: () => Promise<PushedRequestStoreFixture>,
): void {
  describe(`PushedRequestStore contract: ${name}`, () => {
    let fixture: PushedRequestStoreFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(() => fixture.cleanup());

    const entry = { clientId: 'app', request: '{"scope":["openid"]}' };

    it('redeems what another replica saved, for its client, once', async () => {
      const [one, two] = fixture.stores;
      await one.save('h1', entry, 10_000);
      expect(await two.redeem('h1', 'app')).toBe(entry.request);
      expect(await one.redeem('h1', 'app')).toBeUndefined();
      expect(await two.redeem('h1', 'app')).toBeUndefined();
    });

    it('gives nothing for an unknown handle', async () => {
      const [one] = fixture.stores;
      expect(await one.redeem('never-saved', 'app')).toBeUndefined();
    });

    it('refuses another client and leaves the request to its own client', async () => {
      const [one, two] = fixture.stores;
      await one.save('h2', entry, 10_000);
      expect(await two.redeem('h2', 'other')).toBeUndefined();
      expect(await two.redeem('h2', 'ap')).toBeUndefined();
      expect(await one.redeem('h2', 'app')).toBe(entry.request);
    });

    it('gives each of many concurrent redemptions on both replicas nothing but one', async () => {
      const [one, two] = fixture.stores;
      await one.save('h3', entry, 10_000);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).redeem('h3', 'app')),
      );
      expect(answers.filter((a) => a !== undefined)).toEqual([entry.request]);
    });

    it('forgets a request ttlMs after it was saved', async () => {
      const [one, two] = fixture.stores;
      await one.save('h4', entry, 200);
      await one.save('h5', entry, 10_000);
      await (fixture.advance ?? sleep)(300);
      expect(await two.redeem('h4', 'app')).toBeUndefined();
      expect(await two.redeem('h5', 'app')).toBe(entry.request);
    });

    it('keeps requests apart by handle, and values byte for byte', async () => {
      const [one, two] = fixture.stores;
      const unicode = { clientId: 'app', request: '{"state":"caf\u00e9 \u20ac \ud83d\ude00"}' };
      await one.save('a', unicode, 10_000);
      await one.save('b', entry, 10_000);
      expect(await two.redeem('b', 'app')).toBe(entry.request);
      expect(await two.redeem('a', 'app')).toBe(unicode.request);
    });

    it('is ready while open', async () => {
      expect(await fixture.stores[0].ready()).toBe(true);
    });
  });
}
