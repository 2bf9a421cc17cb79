import type { ShutdownLog, ShutdownResult } from './shutdown-sequence';

export interface SignalOptions {
  readonly log: ShutdownLog;
  /** Tests pass fakes; a process uses its own. */
  readonly exit?: (code: number) => void;
  readonly signals?: Pick<NodeJS.Process, 'on'>;
}

/**
 * The process's one SIGTERM/SIGINT handler: the first signal runs the
 * shutdown and exits 0 when it was clean, 1 when not (deadline passed or a
 * stage failed). A second signal during the shutdown exits at once (an
 * operator's second Ctrl-C), with 1.
 */
export function exitOnShutdownSignals(
  shutdown: { run(): Promise<ShutdownResult> },
  options: SignalOptions,
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.signals ?? process;
  let received: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      options.log.error(`${signal} during the shutdown (after ${received}): exiting now`);
      exit(1);
      return;
    }
    received = signal;
    options.log.log(`${signal} received: shutting down`);
    shutdown.run().then(
      (result) => exit(result.clean ? 0 : 1),
      (err: unknown) => {
        options.log.error(`shutdown failed: ${(err as Error).message}`);
        exit(1);
      },
    );
  };
  target.on('SIGTERM', onSignal);
  target.on('SIGINT', onSignal);
}
