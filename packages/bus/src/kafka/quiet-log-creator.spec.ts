import { logLevel } from 'kafkajs';
import { quietLogCreator } from './quiet-log-creator';

describe('quietLogCreator', () => {
  const entry = (message: string, extra: Record<string, unknown> = {}) => ({
    namespace: 'Connection',
    level: logLevel.ERROR,
    label: 'ERROR',
    log: { timestamp: '', message, ...extra },
  });

  it('keeps only whitelisted fields, so message values and stacks never reach the log', () => {
    const lines: unknown[][] = [];
    const log = quietLogCreator({ warn: () => undefined, error: (...a) => void lines.push(a) })(
      logLevel.ERROR,
    );
    log(
      entry('Crash', {
        groupId: 'g',
        stack: 'at …',
        value: 'token-hash',
        messages: [{ value: 'x' }],
      }),
    );
    expect(lines).toEqual([['kafkajs: Crash', { namespace: 'Connection', groupId: 'g' }]]);
  });

  it('writes a repeated line once per window and counts what it suppressed', () => {
    const lines: unknown[][] = [];
    const log = quietLogCreator(
      { warn: () => undefined, error: (...a) => void lines.push(a) },
      0,
    )(logLevel.ERROR);
    const quiet = quietLogCreator(
      { warn: () => undefined, error: (...a) => void lines.push(a) },
      60_000,
    )(logLevel.ERROR);
    quiet(entry('Restarting the consumer in 100ms'));
    quiet(entry('Restarting the consumer in 348ms'));
    quiet(entry('Connection error'));
    expect(lines.map((l) => l[0])).toEqual([
      'kafkajs: Restarting the consumer in 100ms',
      'kafkajs: Connection error',
    ]);
    log(entry('a'));
    log(entry('a'));
    expect(lines).toHaveLength(4);
  });
});
