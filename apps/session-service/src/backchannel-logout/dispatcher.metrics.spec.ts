import { registry } from '@idp/nest-kit';
import type { Delivery, Transition } from './delivery';
import { observeAttempts } from './dispatcher.provider';

const attempts = async () =>
  Object.fromEntries(
    (await registry.getSingleMetric('idp_backchannel_attempts_total')!.get()).values.map((v) => [
      v.labels['outcome'],
      v.value,
    ]),
  );

const delivery = (clientId: string): Delivery => ({
  sid: 's1',
  clientId,
  sub: 'u1',
  jti: 'j',
  uri: 'https://rp.example/bcl',
  alg: 'RS256',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  createdAt: 1_000,
  updatedAt: 1_000,
});

describe('observeAttempts', () => {
  it('counts attempts by outcome, however many RPs (the bounded series)', async () => {
    const before = await attempts();
    const outcomes: { delivery: Delivery; transition: Transition }[] = [
      ...Array.from({ length: 20 }, (_, i) => ({
        delivery: delivery(`rp-${i}`),
        transition: { kind: 'delivered', attempt: 1, status: 200 } as const,
      })),
      {
        delivery: delivery('slow'),
        transition: { kind: 'retry', attempt: 1, error: 'HTTP 503', nextAttemptAt: 5_000 },
      },
      {
        delivery: delivery('gone'),
        transition: { kind: 'dead_lettered', attempt: 5, error: 'timeout' },
      },
    ];
    observeAttempts(outcomes, 2_000);
    const after = await attempts();
    expect(Object.keys(after).sort()).toEqual(['dead_lettered', 'delivered', 'retry']);
    expect({
      delivered: after['delivered']! - before['delivered']!,
      retry: after['retry']! - before['retry']!,
      dead_lettered: after['dead_lettered']! - before['dead_lettered']!,
    }).toEqual({ delivered: 20, retry: 1, dead_lettered: 1 });
  });
});
