import { setTimeout as sleep } from 'node:timers/promises';
import type { SubscribeOptions } from '@idp/bus';
import { uuidv7 } from '@idp/contracts';
import { deliveryCases } from './event-bus/delivery.cases';
import { retryAndDeadLetterCases } from './event-bus/retries-and-dead-letters.cases';
import { subscriptionLifecycleCases } from './event-bus/subscription-lifecycle.cases';
import {
  type BusUnderTest,
  type ContractContext,
  type EventBusContractOptions,
  type EventBusFixture,
} from './event-bus/support';

export { sampleEvent } from './event-bus/support';
export type { EventBusContractOptions, EventBusFixture } from './event-bus/support';

export function eventBusContract(
  name: string,
  make: (topics: readonly string[]) => Promise<EventBusFixture>,
  options: EventBusContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const quietMs = options.quietMs ?? 300;
  const open: EventBusFixture[] = [];

  const waitFor = async (what: string, cond: () => boolean, ms = timeoutMs) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(10);
    }
  };
  const quiet = () => sleep(quietMs);
  const check: ContractContext['check'] = (title, fn) => it(title, fn, timeoutMs * 3);

  /** A started bus over two fresh topics; fresh names keep runs on a shared broker apart. */
  async function setup(): Promise<BusUnderTest> {
    const run = uuidv7();
    const topic = `test.${run}.token`;
    const fx = await make([topic, `test.${run}.session`]);
    open.push(fx);
    await fx.bus.start();
    expect(fx.bus.ready()).toBe(true);
    const subscribe = (o: Omit<SubscribeOptions, 'topics'> & Partial<SubscribeOptions>) =>
      fx.bus.subscribe({ topics: [topic], ...o });
    return { ...fx, topic, subscribe };
  }

  describe(`EventBus contract: ${name}`, () => {
    afterEach(async () => {
      for (const fx of open.splice(0)) {
        await fx.bus.close().catch(() => undefined);
        await fx.cleanup();
      }
    });

    const ctx: ContractContext = { setup, waitFor, quiet, check };
    deliveryCases(ctx);
    retryAndDeadLetterCases(ctx);
    subscriptionLifecycleCases(ctx);
  });
}
