import { group, Inbox, msgs, sampleEvent, type ContractContext } from './support';

/** Closing a subscription or the bus, handing over and resuming within a group, where a new group starts. */
export function subscriptionLifecycleCases(ctx: ContractContext): void {
  const { check, setup, waitFor, quiet } = ctx;

  check(
    'redelivers a message whose handling was cut short by close to the next member',
    async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-handover';
      const inbox = new Inbox();
      const groupId = group();
      const failing = inbox.handler('first', (e) => {
        if (e.streamVersion === 2) throw new Error('not yet');
      });
      const first = await subscribe({
        groupId,
        handler: failing,
        maxAttempts: 1000,
        retryBackoffMs: { initial: 20, max: 20 },
      });
      // Not awaited yet: a bus that acknowledges once consumed cannot resolve while version 2
      // keeps failing; when its only member leaves it rejects (the publisher sends again later).
      const published = bus.publish(topic, msgs(k, 1, 3)).catch(() => undefined);
      await waitFor(
        'two failed attempts',
        () => inbox.versions(k, 'first').filter((v) => v === 2).length >= 2,
      );
      await first.close();
      await subscribe({ groupId, handler: inbox.handler('second') });
      await waitFor('versions 2 and 3', () => inbox.versions(k, 'second').length >= 2);
      await published;
      await quiet();
      expect(inbox.versions(k, 'second')).toEqual([2, 3]);
      expect(inbox.versions(k, 'first')).not.toContain(3);
    },
  );

  check(
    'stops delivering to a closed subscription; the group resumes where it committed',
    async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-resume';
      const inbox = new Inbox();
      const groupId = group();
      const first = await subscribe({ groupId, handler: inbox.handler('first') });
      await bus.publish(topic, msgs(k, 1, 3));
      await waitFor('versions 1-3', () => inbox.seen.length >= 3);
      await first.close();
      await bus.publish(topic, msgs(k, 4, 5));
      await quiet();
      expect(inbox.versions(k, 'first')).toEqual([1, 2, 3]);
      await subscribe({ groupId, handler: inbox.handler('second') });
      await waitFor('versions 4-5', () => inbox.versions(k, 'second').length >= 2);
      await quiet();
      expect(inbox.versions(k, 'second')).toEqual([4, 5]);
      expect(inbox.versions(k, 'first')).toEqual([1, 2, 3]);
    },
  );

  check('starts a new group at the end of the log when fromBeginning is false', async () => {
    const { bus, topic, subscribe } = await setup();
    const k = 'session-late';
    await bus.publish(topic, msgs(k, 1, 2));
    const inbox = new Inbox();
    await subscribe({ groupId: group(), handler: inbox.handler(), fromBeginning: false });
    await bus.publish(topic, msgs(k, 3, 3));
    await waitFor('version 3', () => inbox.seen.length >= 1);
    await quiet();
    expect(inbox.versions()).toEqual([3]);
  });

  check(
    'after bus.close(): not ready, publish and subscribe reject, nothing is delivered',
    async () => {
      const { bus, topic, publishRaw, subscribe } = await setup();
      const k = 'session-closed';
      const inbox = new Inbox();
      await subscribe({ groupId: group(), handler: inbox.handler() });
      await bus.publish(topic, msgs(k, 1, 1));
      await waitFor('version 1', () => inbox.seen.length >= 1);
      await bus.close();
      expect(bus.ready()).toBe(false);
      await expect(bus.publish(topic, msgs(k, 2, 2))).rejects.toThrow();
      await expect(subscribe({ groupId: group(), handler: inbox.handler() })).rejects.toThrow();
      // A closed in-process bus accepts no bytes at all; Kafka's raw producer still writes.
      await publishRaw(topic, k, JSON.stringify(sampleEvent(k, 3))).catch(() => undefined);
      await quiet();
      expect(inbox.versions()).toEqual([1]);
    },
  );
}
