import { runShutdown, type ShutdownLog, type ShutdownStage } from './shutdown-sequence';

function recordingLog(): ShutdownLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (m) => lines.push(`log ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

const never = () => new Promise<void>(() => undefined);

describe('runShutdown', () => {
  it('runs the stages one after the other, each after the previous one finished', async () => {
    const events: string[] = [];
    const stage = (name: string, ms: number): ShutdownStage => ({
      name,
      run: async () => {
        events.push(`${name} start`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`${name} end`);
      },
    });
    const result = await runShutdown([stage('a', 20), stage('b', 1), stage('c', 5)], {
      timeoutMs: 1_000,
      log: recordingLog(),
    });
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(result).toEqual({ clean: true, failed: [], pending: [] });
  });

  it('gives every stage the same deadline: start + timeout', async () => {
    const deadlines: number[] = [];
    const now = () => 1_000;
    const stage = (name: string): ShutdownStage => ({
      name,
      run: async (deadline) => void deadlines.push(deadline),
    });
    await runShutdown([stage('a'), stage('b')], { timeoutMs: 500, log: recordingLog(), now });
    expect(deadlines).toEqual([1_500, 1_500]);
  });

  it('runs the later stages after one fails, and reports it as not clean', async () => {
    const ran: string[] = [];
    const log = recordingLog();
    const result = await runShutdown(
      [
        { name: 'relay', run: () => Promise.reject(new Error('broker down')) },
        { name: 'stores', run: async () => void ran.push('stores') },
      ],
      { timeoutMs: 1_000, log },
    );
    expect(ran).toEqual(['stores']);
    expect(result).toEqual({ clean: false, failed: ['relay'], pending: [] });
    expect(log.lines).toContain('warn shutdown: relay failed: broker down');
  });

  it('stops waiting at the deadline and names the stage running and those not started', async () => {
    const log = recordingLog();
    const started = Date.now();
    const result = await runShutdown(
      [
        { name: 'http', run: async () => undefined },
        { name: 'consumers', run: never },
        { name: 'outbox relay', run: async () => undefined },
        { name: 'stores', run: async () => undefined },
      ],
      { timeoutMs: 50, log },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({
      clean: false,
      failed: [],
      pending: ['consumers', 'outbox relay', 'stores'],
    });
    expect(log.lines).toContain(
      'error shutdown: deadline of 50 ms passed; still pending: consumers, outbox relay, stores',
    );
  });

  it('logs each stage as it starts and ends', async () => {
    const log = recordingLog();
    await runShutdown([{ name: 'http', run: async () => undefined }], {
      timeoutMs: 1_000,
      log,
    });
    expect(log.lines[0]).toBe('log shutdown: http…');
    expect(log.lines[1]).toMatch(/^log shutdown: http done in \d+ ms$/);
    expect(log.lines[2]).toMatch(/^log shutdown: complete in \d+ ms$/);
  });
});
