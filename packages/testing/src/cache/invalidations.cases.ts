import { CacheUnavailableError, type CacheInvalidations, type Unsubscribe } from '@idp/cache';
import { recorder, type ContractContext } from './support';

/** CacheInvalidations: fan-out to every replica, in order, per channel, through unsubscribe and close. */
export function invalidationCases(ctx: ContractContext): void {
  describe('invalidations', () => {
    let opened: CacheInvalidations[] = [];
    let channelSeq = 0;
    const channel = () => `inv-${++channelSeq}`;
    const open = async () => {
      const fixture = ctx.fixture();
      if (fixture === undefined) throw new Error('fixture not ready');
      const connection = await fixture.invalidations();
      opened.push(connection);
      return connection;
    };

    afterEach(async () => {
      await Promise.all(opened.map((connection) => connection.close()));
      opened = [];
    });

    it('every replica hears every message, in publish order, the publisher too', async () => {
      const [a, b, publisher] = [await open(), await open(), await open()];
      const ch = channel();
      const heardA = recorder();
      const heardB = recorder();
      const heardSelf = recorder();
      await a.subscribe(ch, heardA.handler);
      await b.subscribe(ch, heardB.handler);
      await publisher.subscribe(ch, heardSelf.handler);
      for (const m of ['m1', 'm2', 'm3']) await publisher.publish(ch, m);
      await Promise.all([heardA.waitFor(3), heardB.waitFor(3), heardSelf.waitFor(3)]);
      expect(heardA.messages).toEqual(['m1', 'm2', 'm3']);
      expect(heardB.messages).toEqual(['m1', 'm2', 'm3']);
      expect(heardSelf.messages).toEqual(['m1', 'm2', 'm3']);
    });

    it('delivers messages byte for byte: empty, unicode, large', async () => {
      const [a, b] = [await open(), await open()];
      const ch = channel();
      const heard = recorder();
      await a.subscribe(ch, heard.handler);
      const sent = ['', 'ключ🔑 鍵\r\n\u0000', 'x'.repeat(64 * 1024)];
      for (const m of sent) await b.publish(ch, m);
      await heard.waitFor(sent.length);
      expect(heard.messages).toEqual(sent);
    });

    it('channels are isolated', async () => {
      const [a, b] = [await open(), await open()];
      const [watched, other] = [channel(), channel()];
      const heard = recorder();
      await a.subscribe(watched, heard.handler);
      await b.publish(other, 'not for you');
      await b.publish(watched, 'for you');
      await heard.waitFor(1);
      expect(heard.messages).toEqual(['for you']);
    });

    it('unsubscribe stops delivery to that handler only, and is idempotent', async () => {
      const [a, b] = [await open(), await open()];
      const ch = channel();
      const [first, second, remote] = [recorder(), recorder(), recorder()];
      const unsubscribeFirst: Unsubscribe = await a.subscribe(ch, first.handler);
      await a.subscribe(ch, second.handler);
      await b.subscribe(ch, remote.handler);
      await b.publish(ch, 'm1');
      await Promise.all([first.waitFor(1), second.waitFor(1), remote.waitFor(1)]);

      await unsubscribeFirst();
      await unsubscribeFirst();
      await b.publish(ch, 'm2');
      await Promise.all([second.waitFor(2), remote.waitFor(2)]);
      expect(first.messages).toEqual(['m1']);
      expect(second.messages).toEqual(['m1', 'm2']);
    });

    it('the last unsubscribe on a channel ends delivery; subscribing again resumes it', async () => {
      const [a, b] = [await open(), await open()];
      const ch = channel();
      const [gone, sentinel, back] = [recorder(), recorder(), recorder()];
      const unsubscribe = await a.subscribe(ch, gone.handler);
      await unsubscribe();
      await a.subscribe(`${ch}-sentinel`, sentinel.handler);
      await b.publish(ch, 'dropped');
      await b.publish(`${ch}-sentinel`, 'after');
      await sentinel.waitFor(1);
      await a.subscribe(ch, back.handler);
      await b.publish(ch, 'heard');
      await back.waitFor(1);
      expect(gone.messages).toEqual([]);
      expect(back.messages).toEqual(['heard']);
    });

    it('concurrent subscriptions to one channel on one connection both hear', async () => {
      const [a, b] = [await open(), await open()];
      const ch = channel();
      const [one, two] = [recorder(), recorder()];
      await Promise.all([a.subscribe(ch, one.handler), a.subscribe(ch, two.handler)]);
      await b.publish(ch, 'm');
      await Promise.all([one.waitFor(1), two.waitFor(1)]);
    });

    it('a failing handler stops neither other handlers nor later messages', async () => {
      const [a, b] = [await open(), await open()];
      const ch = channel();
      let thrown = 0;
      const healthy = recorder();
      await a.subscribe(ch, () => {
        thrown += 1;
        throw new Error('handler bug');
      });
      await a.subscribe(ch, healthy.handler);
      await b.publish(ch, 'm1');
      await b.publish(ch, 'm2');
      await healthy.waitFor(2);
      expect(healthy.messages).toEqual(['m1', 'm2']);
      expect(thrown).toBe(2);
    });

    it('publishing to a channel nobody listens to succeeds', async () => {
      const a = await open();
      await expect(a.publish(channel(), 'into the void')).resolves.toBeUndefined();
    });

    it('after close(), a connection rejects calls and hears nothing more', async () => {
      const [a, b] = [await open(), await open()];
      const ch = channel();
      const [closedOne, live] = [recorder(), recorder()];
      await a.subscribe(ch, closedOne.handler);
      await b.subscribe(ch, live.handler);
      await a.close();
      await a.close();
      await expect(a.publish(ch, 'x')).rejects.toBeInstanceOf(CacheUnavailableError);
      await expect(a.subscribe(ch, () => undefined)).rejects.toBeInstanceOf(CacheUnavailableError);
      await b.publish(ch, 'after close');
      await live.waitFor(1);
      expect(closedOne.messages).toEqual([]);
    });
  });
}
