import type { HttpDrain } from './http-drain';
import { ProcessShutdown, type ProcessShutdownParts } from './process-shutdown';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A fake of every stage, recording the order in which they are called. */
function fakes(overrides: Partial<ProcessShutdownParts> = {}) {
  const calls: string[] = [];
  const listener = (name: string) =>
    ({ drain: async () => void calls.push(`drain ${name}`) }) as unknown as HttpDrain;
  const parts: ProcessShutdownParts = {
    markNotReady: (reason) => void calls.push(`not ready: ${reason}`),
    listeners: [listener('public')],
    adminListener: listener('admin'),
    consumers: { close: async () => void calls.push('consumers closed') },
    relay: {
      flush: async () => void calls.push('relay flushed'),
      stop: async () => void calls.push('relay stopped'),
    },
    closeStores: async () => void calls.push('stores closed'),
    timeoutMs: 1_000,
    log: quiet,
    ...overrides,
  };
  return { calls, shutdown: new ProcessShutdown(parts) };
}

describe('ProcessShutdown', () => {
  it('turns readiness off, drains HTTP then gRPC, stops consumers, flushes the outbox, drains the admin listener, closes stores', async () => {
    const { calls, shutdown } = fakes();
    shutdown.addRpcServer({ close: async () => void calls.push('grpc drained') });
    const result = await shutdown.run();
    expect(calls).toEqual([
      'not ready: shutting down',
      'drain public',
      'grpc drained',
      'consumers closed',
      'relay flushed',
      'relay stopped',
      'drain admin',
      'stores closed',
    ]);
    expect(result.clean).toBe(true);
  });

  it('flushes the outbox before stopping consumers when the bus acknowledges on consumption', async () => {
    const { calls, shutdown } = fakes({ relayBeforeConsumers: true });
    await shutdown.run();
    expect(calls.slice(-5)).toEqual([
      'relay flushed',
      'relay stopped',
      'consumers closed',
      'drain admin',
      'stores closed',
    ]);
  });

  it('has no gRPC stage without a gRPC server, and no relay stage without a relay', () => {
    const { relay: _none, adminListener: _admin, ...withoutRelay } = fakes().shutdown['parts'];
    const names = new ProcessShutdown(withoutRelay).stages().map((s) => s.name);
    expect(names).toEqual(['readiness', 'http', 'consumers', 'stores']);
  });

  it('stops the relay and still closes the stores when the flush fails', async () => {
    const calls: string[] = [];
    const { shutdown } = fakes({
      relay: {
        flush: () => Promise.reject(new Error('rows up to 42 still unsent')),
        stop: async () => void calls.push('relay stopped'),
      },
      closeStores: async () => void calls.push('stores closed'),
    });
    const result = await shutdown.run();
    expect(calls).toEqual(['relay stopped', 'stores closed']);
    expect(result).toMatchObject({ clean: false, failed: ['outbox relay'] });
  });

  it('bounds the drains at half of what is left, and leaves the stores 1 s after the flush', async () => {
    const waits: Record<string, number> = {};
    const { shutdown } = fakes({
      timeoutMs: 5_000,
      listeners: [
        {
          drain: async (until: number) => void (waits['http'] = until - Date.now()),
        } as unknown as HttpDrain,
      ],
      relay: { flush: async (ms) => void (waits['relay'] = ms), stop: async () => undefined },
    });
    shutdown.addRpcServer({ close: async (ms) => void (waits['grpc'] = ms ?? -1) });
    await shutdown.run();
    expect(waits['http']).toBeGreaterThan(2_300);
    expect(waits['http']).toBeLessThanOrEqual(2_500);
    expect(waits['grpc']).toBeGreaterThan(2_300);
    expect(waits['grpc']).toBeLessThanOrEqual(2_500);
    expect(waits['relay']).toBeGreaterThan(3_800);
    expect(waits['relay']).toBeLessThanOrEqual(4_000);
  });

  it('exceeds the deadline when a consumer never finishes, leaving relay and stores pending', async () => {
    const { calls, shutdown } = fakes({
      timeoutMs: 50,
      consumers: { close: () => new Promise(() => undefined) },
    });
    const result = await shutdown.run();
    expect(result).toEqual({
      clean: false,
      failed: [],
      pending: ['consumers', 'outbox relay', 'admin http', 'stores'],
    });
    expect(calls).not.toContain('stores closed');
  });

  it('runs a final stage (exporting spans) after the stores are closed', async () => {
    const { calls, shutdown } = fakes();
    shutdown.addFinalStage({ name: 'traces', run: async () => void calls.push('spans exported') });
    await shutdown.run();
    expect(calls.slice(-2)).toEqual(['stores closed', 'spans exported']);
  });

  it('runs once: a second call gets the first run', async () => {
    const { calls, shutdown } = fakes();
    const [a, b] = await Promise.all([shutdown.run(), shutdown.run()]);
    expect(a).toBe(b);
    expect(calls.filter((c) => c === 'stores closed')).toHaveLength(1);
  });
});
