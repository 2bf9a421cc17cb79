/** One step of the shutdown, run after the previous one has finished. */
export interface ShutdownStage {
  readonly name: string;
  /**
   * `deadline` is when the whole sequence must be done (epoch ms): a stage
   * that waits on something it can bound (a relay flush, a gRPC grace) stops
   * waiting then.
   */
  run(deadline: number): Promise<void>;
}

/** What the sequence logs through (Nest's Logger fits). */
export interface ShutdownLog {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ShutdownResult {
  /** Every stage finished, without an error, before the deadline. */
  readonly clean: boolean;
  /** Stages that failed (and were passed so that the later ones still ran). */
  readonly failed: readonly string[];
  /** Stages still running or not started when the deadline passed. */
  readonly pending: readonly string[];
}

export interface ShutdownOptions {
  readonly timeoutMs: number;
  readonly log: ShutdownLog;
  readonly now?: () => number;
}

/**
 * Runs the stages in order, each after the previous one has finished, all
 * within `timeoutMs`. A failing stage is logged and the next one still runs:
 * a broker that cannot be reached must not keep the stores open. At the
 * deadline it stops waiting and reports what was still pending; the caller
 * exits, which ends whatever was still running.
 */
export async function runShutdown(
  stages: readonly ShutdownStage[],
  options: ShutdownOptions,
): Promise<ShutdownResult> {
  const now = options.now ?? Date.now;
  const { log } = options;
  const started = now();
  const deadline = started + options.timeoutMs;
  const failed: string[] = [];
  let next = 0;
  let current: string | undefined;

  const sequence = (async () => {
    for (; next < stages.length; next++) {
      const stage = stages[next]!;
      current = stage.name;
      const stageStarted = now();
      log.log(`shutdown: ${stage.name}…`);
      try {
        await stage.run(deadline);
        log.log(`shutdown: ${stage.name} done in ${now() - stageStarted} ms`);
      } catch (err) {
        failed.push(stage.name);
        log.warn(`shutdown: ${stage.name} failed: ${(err as Error).message}`);
      }
    }
    current = undefined;
  })();

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), Math.max(0, deadline - now()));
  });
  const expired = await Promise.race([sequence.then(() => false as const), timedOut]);
  clearTimeout(timer);
  if (expired) {
    const pending = [...(current ? [current] : []), ...stages.slice(next + 1).map((s) => s.name)];
    log.error(
      `shutdown: deadline of ${options.timeoutMs} ms passed; still pending: ${pending.join(', ')}`,
    );
    return { clean: false, failed, pending };
  }
  const clean = failed.length === 0;
  const took = now() - started;
  if (clean) log.log(`shutdown: complete in ${took} ms`);
  else log.error(`shutdown: finished in ${took} ms with failures: ${failed.join(', ')}`);
  return { clean, failed, pending: [] };
}
