import { EventEmitter } from 'node:events';
import type { ShutdownResult } from './shutdown-sequence';
import { exitOnShutdownSignals } from './shutdown-signals';

function harness(result: Promise<ShutdownResult>) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const lines: string[] = [];
  let runs = 0;
  exitOnShutdownSignals(
    {
      run: () => {
        runs++;
        return result;
      },
    },
    {
      log: {
        log: (m) => lines.push(m),
        warn: (m) => lines.push(m),
        error: (m) => lines.push(m),
      },
      exit: (code) => exits.push(code),
      signals: signals as unknown as Pick<NodeJS.Process, 'on'>,
    },
  );
  return { signals, exits, lines, runs: () => runs };
}

const settle = () => new Promise((r) => setImmediate(r));
const clean: ShutdownResult = { clean: true, failed: [], pending: [] };

describe('exitOnShutdownSignals', () => {
  it.each(['SIGTERM', 'SIGINT'])('exits 0 after a clean shutdown on %s', async (signal) => {
    const h = harness(Promise.resolve(clean));
    h.signals.emit(signal, signal);
    await settle();
    expect(h.exits).toEqual([0]);
    expect(h.lines).toContain(`${signal} received: shutting down`);
  });

  it('exits 1 when the shutdown was not clean (deadline passed)', async () => {
    const h = harness(Promise.resolve({ clean: false, failed: [], pending: ['stores'] }));
    h.signals.emit('SIGTERM', 'SIGTERM');
    await settle();
    expect(h.exits).toEqual([1]);
  });

  it('exits at once, with a log line, on a second signal during the shutdown', async () => {
    const h = harness(new Promise(() => undefined));
    h.signals.emit('SIGTERM', 'SIGTERM');
    h.signals.emit('SIGINT', 'SIGINT');
    await settle();
    expect(h.exits).toEqual([1]);
    expect(h.runs()).toBe(1);
    expect(h.lines).toContain('SIGINT during the shutdown (after SIGTERM): exiting now');
  });

  it('does nothing before a signal', async () => {
    const h = harness(Promise.resolve(clean));
    await settle();
    expect(h.exits).toEqual([]);
    expect(h.runs()).toBe(0);
  });
});
