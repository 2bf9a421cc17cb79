import { EventValidationError } from '@idp/contracts';
import { group, Inbox, msgs, sampleEvent, type ContractContext } from './support';

/** Publishing (validated, all or nothing) and delivery: per-key order, once per group, one at a time. */
export function deliveryCases(ctx: ContractContext): void {
  const { check, setup, waitFor, quiet } = ctx;

  check(
    'rejects an invalid event with EventValidationError and publishes none of the batch',
    async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-a';
      const bad = { ...sampleEvent(k, 2), id: 'not-a-uuid' };
      await expect(
        bus.publish(topic, [...msgs(k, 1, 1), { key: k, value: bad }]),
      ).rejects.toBeInstanceOf(EventValidationError);
      await expect(
        bus.publish(topic, [{ key: k, value: { ...sampleEvent(k, 2), data: {} } }]),
      ).rejects.toBeInstanceOf(EventValidationError);
      await bus.publish(topic, msgs(k, 3, 3));
      const inbox = new Inbox();
      await subscribe({ groupId: group(), handler: inbox.handler() });
      await waitFor('the valid event', () => inbox.seen.length >= 1);
      await quiet();
      // Same key, same partition: anything published before version 3 would have come first.
      expect(inbox.versions()).toEqual([3]);
    },
  );

  check(
    'delivers each key in publish order, once, across keys, partitions and batches',
    async () => {
      const { bus, topic, subscribe } = await setup();
      const keys = ['session-k1', 'session-k2', 'session-k3', 'session-k4', 'session-k5'];
      const inbox = new Inbox();
      await subscribe({ groupId: group(), handler: inbox.handler() });
      for (let v = 1; v <= 30; v += 5)
        await bus.publish(
          topic,
          keys.flatMap((k) => msgs(k, v, v + 4)),
        );
      for (const k of keys) await bus.publish(topic, msgs(k, 31, 31));
      await waitFor('155 deliveries', () => inbox.seen.length >= 155);
      await quiet();
      expect(inbox.seen).toHaveLength(155);
      for (const k of keys) {
        expect(inbox.versions(k)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
        expect(
          new Set(inbox.seen.filter((s) => s.event.stream === k).map((s) => s.ctx.partition)).size,
        ).toBe(1);
      }
    },
  );

  check('gives every group every message, and each message to one member of a group', async () => {
    const { bus, topic, subscribe } = await setup();
    const a = new Inbox();
    const b = new Inbox();
    const groupA = group();
    await subscribe({ groupId: groupA, handler: a.handler('a1') });
    await subscribe({ groupId: groupA, handler: a.handler('a2') });
    await subscribe({ groupId: group(), handler: b.handler('b') });
    const keys = ['session-x', 'session-y', 'session-z', 'session-w'];
    for (const k of keys) await bus.publish(topic, msgs(k, 1, 10));
    await waitFor('both groups', () => a.seen.length >= 40 && b.seen.length >= 40);
    await quiet();
    const ids = (i: Inbox) => i.seen.map((s) => s.event.id).sort();
    expect(new Set(ids(a)).size).toBe(40);
    expect(ids(a)).toEqual(ids(b));
    expect(a.seen).toHaveLength(40);
    for (const k of keys)
      expect(b.versions(k)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  check('waits for the handler promise before the next message of the partition', async () => {
    const { bus, topic, subscribe } = await setup();
    const k = 'session-slow';
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inbox = new Inbox();
    await subscribe({
      groupId: group(),
      handler: inbox.handler('m', (e) => (e.streamVersion === 1 ? gate : undefined)),
    });
    // Not awaited yet: a bus that acknowledges once consumed resolves only after the release.
    const published = bus.publish(topic, msgs(k, 1, 2));
    await waitFor('version 1', () => inbox.seen.length >= 1);
    await quiet();
    expect(inbox.versions()).toEqual([1]);
    release();
    await published;
    await waitFor('version 2', () => inbox.seen.length >= 2);
    const [first, second] = inbox.seen;
    expect(first?.ctx).toEqual({
      topic,
      partition: expect.any(Number),
      offset: expect.stringMatching(/^\d+$/),
      attempt: 1,
      // The message's headers: what a consumer continues the request context from.
      headers: expect.objectContaining({ 'x-request-id': expect.any(String) }),
    });
    expect(BigInt(second?.ctx.offset ?? 0) - BigInt(first?.ctx.offset ?? 0)).toBe(1n);
  });
}
