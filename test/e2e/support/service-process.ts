import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@idp/testing';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

/** One implementation for the e2e tests and the benchmarks: @idp/testing's. */
export { freePort };

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/** How Node.js prints a process warning on stderr: `(node:123) [DEP0040] DeprecationWarning: …`. */
export const NODE_WARNING = /\(node:\d+\) (?:\[\w+\] )?\w*Warning: .*/;

/**
 * One app of the distributed mode as its own OS process, started from its
 * built `dist/main.js` exactly as in production. Output is kept for the
 * failure message.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  /** Everything the process wrote, stdout and stderr, across restarts (log assertions read it). */
  private readonly everything: string[] = [];
  /** Chosen at the first start and kept across restarts; never in `env`, which tests copy. */
  private adminPort: number | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    readonly app:
      'auth-api' | 'token-service' | 'introspection-service' | 'session-service' | 'embedded',
    readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** The admin listener: /admin/*, /metrics, /health/* (ADR 0017). Known once started. */
  get adminUrl(): string {
    if (this.adminPort === undefined) throw new Error(`${this.app}: adminUrl before start()`);
    return `http://127.0.0.1:${this.adminPort}`;
  }

  /**
   * Spawns the process: at once on a restart (the admin port is known), after
   * picking a free admin port on the first start (waitReady waits for it).
   */
  start(): this {
    if (this.adminPort !== undefined) {
      this.spawn(this.adminPort);
      this.starting = Promise.resolve();
    } else {
      this.starting = freePort().then((port) => {
        this.adminPort = port;
        this.spawn(port);
      });
    }
    return this;
  }

  private spawn(adminPort: number): void {
    const child = spawn(process.execPath, [join(ROOT, 'apps', this.app, 'dist', 'main.js')], {
      env: { ...process.env, ...this.env, ADMIN_PORT: String(adminPort), FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
      this.everything.push(chunk.toString());
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
  }

  /** Resolves once start() has spawned the process. */
  async started(): Promise<void> {
    await this.starting;
  }

  logs(): string {
    return this.output;
  }

  /** The whole output since the first start (`logs()` keeps only its tail). */
  allLogs(): string {
    return this.everything.join('');
  }

  /** The OS process id while it runs (e.g. for /proc/<pid>/status). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the last run ended: its exit code, or the signal that killed it (null while it runs). */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null {
    if (!this.child || this.alive()) return null;
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await this.starting;
    await waitFor(
      `${this.app} ready`,
      async () => {
        if (!this.alive()) throw new Error(`${this.app} exited:\n${this.output}`);
        return (await httpStatus(`${this.adminUrl}/health/ready`)) === 200;
      },
      // A refused connection costs nothing; a coarse interval would add up to
      // its length to each of the 150-odd process starts of a full run.
      { timeoutMs, intervalMs: 50 },
    );
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.starting;
    const child = this.child;
    if (!child || !this.alive()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}

/** Runs the compiled `idp` CLI (e.g. `keys rotate ES256`) to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'apps', 'cli', 'dist', 'cli.js'), ...args], {
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}
