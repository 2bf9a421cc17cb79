// Child processes, ports and waiting: what every target launcher needs.
import { fork, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';

/**
 * A free TCP port on loopback below the kernel's ephemeral range: the one
 * implementation, shared with the e2e tests, is @idp/testing's (built by
 * `npm run bench` first; targets.mjs takes its seeds from there too).
 */
export const { freePort } = createRequire(import.meta.url)('@idp/testing');

/** Whether something accepts TCP connections on host:port within timeoutMs. */
export function tcpAnswers(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls probe until it returns a value other than undefined/false, or throws after timeoutMs. */
export async function waitFor(what, probe, { timeoutMs = 30_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message ?? last}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A server in its own OS process, so it never shares an event loop with the
 * load generator. Output is kept (last 20 kB) for failure messages.
 */
export class ServerProcess {
  #child;
  #output = '';

  /** @param {string} name @param {{ module?: string, args?: string[], env?: Record<string,string>, cwd?: string }} spec */
  constructor(name, spec) {
    this.name = name;
    this.spec = spec;
  }

  /** node module started with an IPC channel (fork); it may send { ready: { port } }. */
  fork() {
    const { module, args = [], env = {}, cwd } = this.spec;
    this.#child = fork(module, args, {
      cwd,
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return this.#watch();
  }

  /**
   * A plain node process (an app's dist/main.js), no IPC. `BENCH_NODE_ARGS`
   * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to these processes only:
   * node refuses profiling flags in NODE_OPTIONS.
   */
  spawn() {
    const { module, args = [], env = {}, cwd } = this.spec;
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.#child = spawn(process.execPath, [...nodeArgs, module, ...args], {
      cwd,
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return this.#watch();
  }

  #watch() {
    const keep = (chunk) => {
      this.#output = (this.#output + chunk.toString()).slice(-20_000);
    };
    this.#child.stdout.on('data', keep);
    this.#child.stderr.on('data', keep);
    return this;
  }

  get pid() {
    return this.#child?.pid;
  }

  logs() {
    return this.#output;
  }

  alive() {
    return !!this.#child && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resolves with the first IPC message that has a `ready` field. */
  ready(timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: not ready after ${timeoutMs} ms\n${this.#output}`)),
        timeoutMs,
      );
      this.#child.on('message', (msg) => {
        if (msg && msg.ready) {
          clearTimeout(timer);
          resolve(msg.ready);
        }
      });
      this.#child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal}) before ready:\n${this.#output}`));
      });
    });
  }

  async stop() {
    const child = this.#child;
    if (!child || !this.alive()) return;
    await new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}
