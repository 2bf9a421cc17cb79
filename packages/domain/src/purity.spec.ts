import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionStarted, sequentialIds } from '@idp/contracts';
import { stampMeta } from './decider';
import { sessionDecider } from './session/session.decider';

/** Every domain source a build ships (specs and test fixtures aside). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/\.(spec|fixtures)\.ts$/.test(entry.name) ? [path] : [];
  });
}

// ADR 0020: time and ids reach a decider through its command's meta, never from here.
const IMPURE =
  /\buuidv7\(|\bnew Date\(|\bDate\.now\(|\bfreshEventMeta\b|\brandomUUID\(|\bMath\.random\(/;

describe('the domain is pure (ADR 0020)', () => {
  it.each(sources(__dirname).map((p) => [p.slice(__dirname.length + 1), p]))(
    '%s reads no clock and makes no ids',
    (_name, path) => {
      expect(readFileSync(path, 'utf8')).not.toMatch(IMPURE);
    },
  );

  it('decides the same events from the same command, state and stamp', () => {
    const command = (seed: number) => ({
      type: 'StartSession' as const,
      sid: 's1',
      sub: 'u1',
      amr: ['pwd'],
      lifetimes: { idleSeconds: 60, absoluteSeconds: 600 },
      meta: stampMeta(
        { now: 1_000, correlationId: 'c' },
        '2026-01-01T00:00:00.000Z',
        sequentialIds(seed),
      ),
    });
    const state = sessionDecider.initialState();
    const first = sessionDecider.decide(command(5), state);
    expect(sessionDecider.decide(command(5), state)).toEqual(first);
    expect(first).toEqual([
      SessionStarted.create(
        {
          sid: 's1',
          sub: 'u1',
          authTime: 1_000,
          amr: ['pwd'],
          idleExpiresAt: 1_060,
          absoluteExpiresAt: 1_600,
        },
        {
          id: '00000000-0000-7000-8000-000000000005',
          occurredAt: '2026-01-01T00:00:00.000Z',
          correlationId: 'c',
        },
      ),
    ]);
  });
});
