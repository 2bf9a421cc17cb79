/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface Io {
  readonly stdout: { write(chunk: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long-running commands (events tail) stop cleanly. */
  readonly signal: AbortSignal;
  /** Reads a file (or stdin for `-`) as UTF-8. */
  readFile(path: string): Promise<string>;
  /** Milliseconds since the epoch; injectable for ages and rates. */
  now(): number;
  /** The HTTP client of the admin commands (global fetch when absent). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export const println = (stream: Io['stdout'], line = ''): void => {
  stream.write(`${line}\n`);
};
