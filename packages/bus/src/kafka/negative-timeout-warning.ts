/**
 * kafkajs 2.2.4 (its last release) arms a timer with a negative delay in its
 * request queue: `throttledUntil` starts at -1, and
 * `scheduleCheckPendingRequests()` passes `throttledUntil - Date.now()` to
 * setTimeout when nothing is pending (src/network/requestQueue/index.js).
 * Node.js has always run such a timer after 1 ms; since Node.js 23 it also
 * prints a `TimeoutNegativeWarning` for it, at the first broker connection.
 * Nothing is wrong and nothing changes without the warning, so the Kafka bus
 * drops exactly that warning when kafkajs' request queue raised it; every
 * other warning is printed as before. Node.js reports a negative timeout only
 * once per process, so after kafkajs' one a later negative timeout elsewhere
 * goes unreported (as it would have with the warning printed).
 */
const REQUEST_QUEUE = /[\\/]kafkajs[\\/]src[\\/]network[\\/]requestQueue[\\/]/;

type EmitWarning = (...args: unknown[]) => void;

function warningName(warning: unknown, options: unknown): string | undefined {
  if (warning instanceof Error) return warning.name;
  if (typeof options === 'string') return options;
  return (options as { type?: string } | undefined)?.type;
}

/** `emit`, minus a TimeoutNegativeWarning whose caller's stack runs through kafkajs' request queue. */
export function withoutKafkajsNegativeTimeoutWarning(emit: EmitWarning): EmitWarning {
  return function (this: unknown, ...args: unknown[]): void {
    if (
      warningName(args[0], args[1]) === 'TimeoutNegativeWarning' &&
      REQUEST_QUEUE.test(new Error().stack ?? '')
    )
      return;
    emit.apply(this, args);
  };
}

let installed = false;

/** Installs the filter on `process.emitWarning`, once per process. */
export function dropKafkajsNegativeTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  process.emitWarning = withoutKafkajsNegativeTimeoutWarning(
    process.emitWarning as EmitWarning,
  ) as typeof process.emitWarning;
}
