/**
 * Runs async units of work one at a time, in call order. SQLite gives TypeORM
 * one shared connection, so two interleaved transactions would become one
 * (and a reader could see another caller's uncommitted rows); serialising
 * every unit of work on that connection prevents both.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle, whether it failed or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
