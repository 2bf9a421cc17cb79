import type { DeadLetter } from '@idp/bus';
import { group, Inbox, msgs, sampleEvent, type ContractContext } from './support';

/** Failing handlers: retries with backoff, then dead letters; undecodable values go straight there. */
export function retryAndDeadLetterCases(ctx: ContractContext): void {
  const { check, setup, waitFor, quiet } = ctx;

  check('retries a failing handler with backoff, in order, then moves on', async () => {
    const { bus, topic, subscribe } = await setup();
    const k = 'session-flaky';
    const inbox = new Inbox();
    const handler = inbox.handler('m', (e, ctx) => {
      if (e.streamVersion === 2 && ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`);
    });
    await subscribe({
      groupId: group(),
      handler,
      maxAttempts: 5,
      retryBackoffMs: { initial: 40, max: 80 },
    });
    await bus.publish(topic, msgs(k, 1, 3));
    await waitFor('version 3', () => inbox.versions().includes(3));
    await quiet();
    expect(inbox.seen.map((s) => `${s.event.streamVersion}@${s.ctx.attempt}`)).toEqual([
      '1@1',
      '2@1',
      '2@2',
      '2@3',
      '3@1',
    ]);
    const at = inbox.seen.map((s) => s.at);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(35);
    expect((at[3] ?? 0) - (at[2] ?? 0)).toBeGreaterThanOrEqual(75);
  });

  check(
    'dead-letters a message whose handler keeps failing, with where and why, and carries on',
    async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-poison';
      const inbox = new Inbox();
      const groupId = group();
      const handler = inbox.handler('m', (e) => {
        if (e.streamVersion === 2) throw new Error('boom on version 2');
      });
      await subscribe({
        groupId,
        handler,
        maxAttempts: 3,
        retryBackoffMs: { initial: 10, max: 20 },
      });
      const published = msgs(k, 1, 3);
      await bus.publish(topic, published);
      await waitFor('version 3', () => inbox.versions().includes(3));
      const letters: DeadLetter[] = [];
      await bus.subscribeDeadLetters({
        groupId: group(),
        topics: [topic],
        handler: async (l) => void letters.push(l),
      });
      await waitFor('the dead letter', () => letters.length >= 1);
      await quiet();
      expect(inbox.versions()).toEqual([1, 2, 2, 2, 3]);
      const failed = inbox.seen.find((s) => s.event.streamVersion === 2)?.ctx;
      expect(letters).toEqual([
        expect.objectContaining({
          topic,
          partition: failed?.partition,
          offset: failed?.offset,
          key: k,
          attempts: 3,
          groupId,
        }),
      ]);
      expect(letters[0]?.error).toContain('boom on version 2');
      expect(JSON.parse(letters[0]?.value ?? 'null')).toEqual(published[1]?.value);
      expect(Number.isNaN(Date.parse(letters[0]?.failedAt ?? ''))).toBe(false);
    },
  );

  check(
    'dead-letters values that are not JSON or fail their schema, never calling the handler',
    async () => {
      const { bus, topic, publishRaw, subscribe } = await setup();
      const k = 'session-garbage';
      const raw = [
        'not json {secret',
        JSON.stringify({ hello: 'world' }),
        JSON.stringify({ ...sampleEvent(k, 1), type: 'session.never_defined' }),
        JSON.stringify({ ...sampleEvent(k, 1), data: { sid: 42 } }),
      ];
      for (const value of raw) await publishRaw(topic, k, value);
      await bus.publish(topic, msgs(k, 2, 2));
      const inbox = new Inbox();
      const letters: DeadLetter[] = [];
      await subscribe({ groupId: group(), handler: inbox.handler() });
      await bus.subscribeDeadLetters({
        groupId: group(),
        topics: [topic],
        handler: async (l) => void letters.push(l),
      });
      await waitFor(
        '4 dead letters and the valid event',
        () => letters.length >= 4 && inbox.seen.length >= 1,
      );
      await quiet();
      expect(inbox.versions()).toEqual([2]);
      expect(letters.map((l) => l.value)).toEqual(raw);
      expect(letters.every((l) => l.attempts === 0 && l.topic === topic)).toBe(true);
      expect(letters.map((l) => l.error)).toEqual([
        'value is not valid JSON',
        expect.stringContaining('malformed envelope'),
        expect.stringContaining('unknown event session.never_defined'),
        expect.stringContaining('data.sid'),
      ]);
    },
  );
}
