/** What one request of a load run ended with: a value (success) or why not. */
export interface LoadOutcome<T> {
  readonly at: number;
  readonly value?: T;
  /** HTTP status of a refused request, or the error of one that got no answer. */
  readonly failure?: number | string;
}

/** A request that answered with something other than success. */
export class Refused extends Error {
  constructor(readonly status: number) {
    super(`answered ${status}`);
  }
}

/**
 * Background traffic for fault tests: `workers` loops each send one request
 * after the other until stop(), and every outcome is kept with the time it
 * arrived, so a test can tell what was acknowledged before a fault and what
 * happened while it lasted.
 */
export class Load<T> {
  readonly outcomes: LoadOutcome<T>[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    request: () => Promise<T>,
    workers: number,
    /** Pause between two requests of one worker, so a 2-core machine keeps room for the services. */
    pauseMs = 20,
  ) {
    this.loops = Array.from({ length: workers }, async () => {
      while (this.running) {
        try {
          this.outcomes.push({ at: Date.now(), value: await request() });
        } catch (err) {
          const failure = err instanceof Refused ? err.status : String(err);
          this.outcomes.push({ at: Date.now(), failure });
        }
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  }

  /** Values acknowledged before `time` (exclusive). */
  succeededBefore(time: number): T[] {
    return this.outcomes.filter((o) => o.at < time && o.value !== undefined).map((o) => o.value!);
  }

  succeeded(): T[] {
    return this.outcomes.filter((o) => o.value !== undefined).map((o) => o.value!);
  }

  failures(): (number | string)[] {
    return this.outcomes.filter((o) => o.failure !== undefined).map((o) => o.failure!);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
