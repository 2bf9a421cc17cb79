import type { HttpDrain } from './http-drain';
import {
  runShutdown,
  type ShutdownLog,
  type ShutdownResult,
  type ShutdownStage,
} from './shutdown-sequence';

/** A gRPC server: lets calls in flight finish for up to `graceMs`, refusing new ones. */
export interface DrainableRpcServer {
  close(graceMs?: number): Promise<void>;
}

/** What the relay stage needs of the OutboxRelay. */
export interface FlushableRelay {
  flush(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ProcessShutdownParts {
  /** Readiness answers 503 with this reason from now on. */
  readonly markNotReady: (reason: string) => void;
  /** The public listener(s): drained first, while readiness already answers 503. */
  readonly listeners: readonly HttpDrain[];
  /**
   * The admin listener (probes, /metrics, /admin): drained after the
   * consumers and the relay stopped, so that during the public drain a
   * probe on a new connection sees readiness 503 (not a refused connection)
   * and the last scrape sees the shutdown's own metrics.
   */
  readonly adminListener?: HttpDrain;
  /** The event consumers: closing waits for the handlers in flight and commits their offsets. */
  readonly consumers: { close(): Promise<void> };
  readonly relay?: FlushableRelay;
  /**
   * The embedded bus acknowledges a publish once every consumer has handled
   * it, and at once when no consumer is left: flushing after the consumers
   * stopped would mark rows sent whose effects never happened. There the
   * relay is flushed first, while the consumers still run.
   */
  readonly relayBeforeConsumers?: boolean;
  /** Nest's shutdown hooks: each module closes its stores (docs/operations/restarts.md). */
  readonly closeStores: () => Promise<void>;
  readonly timeoutMs: number;
  readonly log: ShutdownLog;
}

/**
 * The one shutdown sequence of a process (docs/operations/restarts.md):
 * readiness off, HTTP drained, gRPC drained, consumers stopped, outbox
 * flushed, the admin listener drained, stores closed, within SHUTDOWN_TIMEOUT_MS. Runs once; a second
 * call gets the first run's result.
 */
export class ProcessShutdown {
  private readonly rpcServers: DrainableRpcServer[] = [];
  private readonly finalStages: ShutdownStage[] = [];
  private running: Promise<ShutdownResult> | undefined;

  constructor(private readonly parts: ProcessShutdownParts) {}

  /** gRPC servers are started after the app (token-service, session-service): register them here. */
  addRpcServer(server: DrainableRpcServer): void {
    this.rpcServers.push(server);
  }

  /**
   * A step after the stores are closed, e.g. exporting the spans still
   * queued (startTracing with `flushOnSignals: false`): it then sees the
   * spans of the shutdown too, and the process keeps one signal handler.
   */
  addFinalStage(stage: ShutdownStage): void {
    this.finalStages.push(stage);
  }

  run(): Promise<ShutdownResult> {
    this.running ??= runShutdown(this.stages(), {
      timeoutMs: this.parts.timeoutMs,
      log: this.parts.log,
    });
    return this.running;
  }

  stages(): ShutdownStage[] {
    const p = this.parts;
    const consumers: ShutdownStage = { name: 'consumers', run: () => p.consumers.close() };
    const relay: ShutdownStage[] = p.relay ? [relayStage(p.relay)] : [];
    return [
      { name: 'readiness', run: async () => p.markNotReady('shutting down') },
      drainStage('http', ...p.listeners),
      ...(this.rpcServers.length > 0
        ? [
            {
              name: 'grpc',
              run: async (deadline: number) => {
                const grace = Math.max(0, halfway(deadline) - Date.now());
                await Promise.all(this.rpcServers.map((s) => s.close(grace)));
              },
            },
          ]
        : []),
      ...(p.relayBeforeConsumers ? [...relay, consumers] : [consumers, ...relay]),
      ...(p.adminListener ? [drainStage('admin http', p.adminListener)] : []),
      { name: 'stores', run: () => p.closeStores() },
      ...this.finalStages,
    ];
  }
}

function drainStage(name: string, ...listeners: HttpDrain[]): ShutdownStage {
  return {
    name,
    run: async (deadline) => {
      const until = halfway(deadline);
      await Promise.all(listeners.map((l) => l.drain(until)));
    },
  };
}

/**
 * A request or a call that never ends must not keep the stores open: the
 * drains stop waiting halfway to the deadline (what is still open is cut at
 * exit), and the flush leaves STORES_RESERVE_MS for closing the stores.
 */
function halfway(deadline: number): number {
  const now = Date.now();
  return now + Math.max(0, deadline - now) / 2;
}
const STORES_RESERVE_MS = 1_000;

/** Publishes what is committed and unpublished (bounded by the deadline), then stops the relay. */
function relayStage(relay: FlushableRelay): ShutdownStage {
  return {
    name: 'outbox relay',
    run: async (deadline) => {
      try {
        // A flush that runs out of time throws: the stage fails, the stores still close.
        await relay.flush(Math.max(1, deadline - Date.now() - STORES_RESERVE_MS));
      } finally {
        await relay.stop();
      }
    },
  };
}
