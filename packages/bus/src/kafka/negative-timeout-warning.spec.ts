import { runInThisContext } from 'node:vm';
import { withoutKafkajsNegativeTimeoutWarning } from './negative-timeout-warning';

type Emit = (...args: unknown[]) => void;

/** Calls `emit` from a frame whose file is `filename`, as Node's timers do from inside the caller of setTimeout. */
function emitFrom(filename: string, emit: Emit, ...args: unknown[]): void {
  const call = runInThisContext('(function (emit, args) { emit(...args); })', {
    filename,
  }) as (e: Emit, a: unknown[]) => void;
  call(emit, args);
}

const KAFKAJS_QUEUE = '/app/node_modules/kafkajs/src/network/requestQueue/index.js';
const NEGATIVE = ['-1796545250185 is a negative number.', 'TimeoutNegativeWarning'];

describe('withoutKafkajsNegativeTimeoutWarning', () => {
  it("drops the TimeoutNegativeWarning raised under kafkajs' request queue", () => {
    const emit = jest.fn();
    emitFrom(KAFKAJS_QUEUE, withoutKafkajsNegativeTimeoutWarning(emit), ...NEGATIVE);
    const asError = Object.assign(new Error('negative'), { name: 'TimeoutNegativeWarning' });
    emitFrom(KAFKAJS_QUEUE, withoutKafkajsNegativeTimeoutWarning(emit), asError);
    emitFrom(KAFKAJS_QUEUE, withoutKafkajsNegativeTimeoutWarning(emit), NEGATIVE[0], {
      type: 'TimeoutNegativeWarning',
    });
    expect(emit).not.toHaveBeenCalled();
  });

  it('passes the same warning raised anywhere else, with its arguments', () => {
    const emit = jest.fn();
    emitFrom(
      '/app/packages/bus/dist/delivery.js',
      withoutKafkajsNegativeTimeoutWarning(emit),
      ...NEGATIVE,
    );
    expect(emit).toHaveBeenCalledWith(...NEGATIVE);
  });

  it("passes every other warning raised under kafkajs' request queue", () => {
    const emit = jest.fn();
    const filtered = withoutKafkajsNegativeTimeoutWarning(emit);
    emitFrom(KAFKAJS_QUEUE, filtered, 'Buffer() is deprecated', 'DeprecationWarning', 'DEP0005');
    emitFrom(KAFKAJS_QUEUE, filtered, '2147483648 does not fit', 'TimeoutOverflowWarning');
    expect(emit.mock.calls).toEqual([
      ['Buffer() is deprecated', 'DeprecationWarning', 'DEP0005'],
      ['2147483648 does not fit', 'TimeoutOverflowWarning'],
    ]);
  });
});
